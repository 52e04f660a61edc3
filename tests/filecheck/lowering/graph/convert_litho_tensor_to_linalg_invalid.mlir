// RUN: sed -n "s/.*expected-error @+1 {{\(.*\)}}$/CHECK: \1/p" %s > %t
// RUN: litho-opt %s --split-input-file --verify-diagnostics -p convert-litho-tensor-to-linalg | filecheck %t

// Forms the pass refuses (its `unsupported_form`; the importer runs such nodes in torch
// eager). The first RUN line turns every expected-error message into a CHECK line.

func.func @bool_sub(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{litho_tensor.sub on i1 tensors is not supported}}
  %0 = litho_tensor.sub %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return %0 : tensor<4xi1>
}

// -----

func.func @integer_mean(%a: tensor<2x3xi64>) -> tensor<2xi64> {
  // expected-error @+1 {{litho_tensor.reduce_mean on i64 tensors is not supported (a mean is a float)}}
  %0 = litho_tensor.reduce_mean %a {dims = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
  func.return %0 : tensor<2xi64>
}

// -----

func.func @table_constant(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{litho_tensor.constant: only splat constants can be lowered; pass larger constants as function arguments (the importer lifts them)}}
  %c = litho_tensor.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = litho_tensor.add %a, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %0 : tensor<2xf32>
}
