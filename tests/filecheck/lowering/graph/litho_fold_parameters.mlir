// RUN: litho-opt %s -p litho-fold-parameters | filecheck %s

// A Linear's transposed weight becomes a weight of its own; the original, unused, goes.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[B:.*]]: tensor<4xf32> {litho.parameter = "0.bias"}, %[[X:.*]]: tensor<2x8xf32>, %[[T:.*]]: tensor<8x4xf32> {litho.parameter = "permute(0.weight)"})
// CHECK-NEXT: %[[Y:.*]] = litho_tensor.matmul %[[X]], %[[T]]
// CHECK-NEXT: litho_tensor.add %[[Y]], %[[B]]
func.func @linear(%w: tensor<4x8xf32> {litho.parameter = "0.weight"}, %b: tensor<4xf32> {litho.parameter = "0.bias"}, %x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %t = litho_tensor.permute %w {dims = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %y = litho_tensor.matmul %x, %t : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %z = litho_tensor.add %y, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  func.return %z : tensor<2x4xf32>
}

// A chain of ops on weights and constants is one derived weight, named after its last op;
// a weight the call still reads itself stays.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[W:.*]]: tensor<2x3xf32> {litho.parameter = "w"}, %[[X:.*]]: tensor<3x2xf32>, %[[D:.*]]: tensor<3x2xf32> {litho.parameter = "mul(w)"})
// CHECK-NEXT: %[[A:.*]] = litho_tensor.add %[[X]], %[[D]]
// CHECK-NEXT: %[[P:.*]] = litho_tensor.matmul %[[W]], %[[A]]
// CHECK-NEXT: func.return %[[P]]
func.func @chain(%w: tensor<2x3xf32> {litho.parameter = "w"}, %x: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %t = litho_tensor.permute %w {dims = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %two = litho_tensor.constant dense<2.000000e+00> : tensor<f32>
  %d = litho_tensor.mul %t, %two : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %a = litho_tensor.add %x, %d : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %p = litho_tensor.matmul %w, %a : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  func.return %p : tensor<2x2xf32>
}

// Two weights combine into one; names say where a derived weight comes from.
// CHECK-LABEL: func.func @two_weights
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<4xf32> {litho.parameter = "add(a, b)"})
// CHECK-NEXT: litho_tensor.mul %[[X]], %[[S]]
func.func @two_weights(%a: tensor<4xf32> {litho.parameter = "a"}, %b: tensor<4xf32> {litho.parameter = "b"}, %x: tensor<4xf32>) -> tensor<4xf32> {
  %s = litho_tensor.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = litho_tensor.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// Folding never grows the weights: a broadcast to more elements than its weight stays,
// and so does an op of constants alone (canonicalization's work) or of a caller's tensor.
// CHECK-LABEL: func.func @left_alone
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {litho.parameter = "bias"}, %{{.*}}: tensor<3x4xf32>)
// CHECK: litho_tensor.broadcast
// CHECK: litho_tensor.neg
// CHECK: litho_tensor.exp
func.func @left_alone(%bias: tensor<4xf32> {litho.parameter = "bias"}, %x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>) {
  %big = litho_tensor.broadcast %bias : tensor<4xf32> -> tensor<3x4xf32>
  %c = litho_tensor.constant dense<1.000000e+00> : tensor<f32>
  %n = litho_tensor.neg %c : tensor<f32>
  %e = litho_tensor.exp %x : tensor<3x4xf32>
  func.return %big, %n, %e : tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>
}

// A derived weight the function returns as it is.
// CHECK-LABEL: func.func @returned
// CHECK-SAME: (%[[N:.*]]: tensor<2xi64> {litho.parameter = "neg(table)"}) -> tensor<2xi64>
// CHECK-NEXT: func.return %[[N]]
func.func @returned(%table: tensor<2xi64> {litho.parameter = "table"}) -> tensor<2xi64> {
  %n = litho_tensor.neg %table : tensor<2xi64>
  func.return %n : tensor<2xi64>
}
