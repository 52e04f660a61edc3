// RUN: litho-opt %s -p litho-canonicalize,dce | filecheck %s

// CHECK-LABEL: func.func @mul_by_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: func.return %[[X]]
func.func @mul_by_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = litho_tensor.constant dense<1.000000e+00> : tensor<f32>
  %y = litho_tensor.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// The constant broadcasts %x, so the multiplication stays.
// CHECK-LABEL: func.func @mul_by_broadcasting_one
// CHECK: litho_tensor.mul
func.func @mul_by_broadcasting_one(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  %one = litho_tensor.constant dense<1.000000e+00> : tensor<2x4xf32>
  %y = litho_tensor.mul %x, %one : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3xi64>)
// CHECK-NEXT: func.return %[[X]]
func.func @add_zero(%x: tensor<3xi64>) -> tensor<3xi64> {
  %zero = litho_tensor.constant dense<0> : tensor<3xi64>
  %y = litho_tensor.add %zero, %x : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  func.return %y : tensor<3xi64>
}

// CHECK-LABEL: func.func @permute_permute
// CHECK-NEXT: %[[P:.*]] = litho_tensor.permute %{{.*}} {dims = array<i64: 1, 2, 0>}
// CHECK-NEXT: func.return %[[P]]
func.func @permute_permute(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %a = litho_tensor.permute %x {dims = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %b = litho_tensor.permute %a {dims = array<i64: 0, 2, 1>} : tensor<3x2x4xf32> -> tensor<3x4x2xf32>
  func.return %b : tensor<3x4x2xf32>
}

// A permute that undoes another leaves the input itself.
// CHECK-LABEL: func.func @transpose_twice
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: func.return %[[X]]
func.func @transpose_twice(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = litho_tensor.permute %x {dims = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = litho_tensor.permute %a {dims = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  func.return %b : tensor<2x3xf32>
}

// A square transpose keeps its type but is not the identity.
// CHECK-LABEL: func.func @square_transpose
// CHECK: litho_tensor.permute
func.func @square_transpose(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %t = litho_tensor.permute %x {dims = array<i64: 1, 0>} : tensor<3x3xf32> -> tensor<3x3xf32>
  func.return %t : tensor<3x3xf32>
}

// CHECK-LABEL: func.func @reshape_reshape
// CHECK-NEXT: %[[R:.*]] = litho_tensor.reshape %{{.*}} : tensor<2x6xf32> -> tensor<3x4xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @reshape_reshape(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %a = litho_tensor.reshape %x : tensor<2x6xf32> -> tensor<12xf32>
  %b = litho_tensor.reshape %a : tensor<12xf32> -> tensor<3x4xf32>
  func.return %b : tensor<3x4xf32>
}
