// RUN: sed -n "s/.*expected-error @+1 {{\(.*\)}}$/CHECK: \1/p" %s > %t
// RUN: litho-opt %s --split-input-file --verify-diagnostics -p litho-bufferize | filecheck %t

// What litho-bufferize refuses (its precondition: L2, every op converted to linalg on
// tensors). The first RUN line turns every expected-error message into a CHECK line.

func.func @not_lowered(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{litho-bufferize: cannot bufferize litho_tensor.neg; it expects only tensor.empty, linalg.generic and func.call (run convert-litho-tensor-to-linalg)}}
  %0 = litho_tensor.neg %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{litho-bufferize: argument 0 of @scalar_argument is a f32; it bufferizes functions of tensors only}}
func.func @scalar_argument(%a: f32, %b: tensor<4xf32>) -> tensor<4xf32> {
  func.return %b : tensor<4xf32>
}
