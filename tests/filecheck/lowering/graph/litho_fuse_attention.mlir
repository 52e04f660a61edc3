// RUN: litho-opt %s -p litho-fuse-attention | filecheck %s

// Attention as capture gives it: the 4-d matmul runs in 3-d between reshapes, a boolean
// mask by where(mask, s, -inf), the softmax in its five ops, rows masked whole made 0.
// It becomes one attention on the 4-d operands, the mask made additive (0 or -inf); the
// scale of q and the zero rows go into it.
// CHECK-LABEL: func.func @masked
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x5x8xf32>, %[[KT:.*]]: tensor<1x2x8x7xf32>, %[[V:.*]]: tensor<1x2x7x3xf32>, %[[M:.*]]: tensor<5x7xi1>)
// CHECK-NEXT: %[[ZERO:.*]] = litho_tensor.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[NEG:.*]] = litho_tensor.constant dense<0xff800000> : tensor<f32>
// CHECK-NEXT: %[[ADD:.*]] = litho_tensor.where %[[M]], %[[ZERO]], %[[NEG]] : (tensor<5x7xi1>, tensor<f32>, tensor<f32>) -> tensor<5x7xf32>
// CHECK-NEXT: %[[MASK:.*]] = litho_tensor.reshape %[[ADD]] : tensor<5x7xf32> -> tensor<1x1x5x7xf32>
// CHECK-NEXT: %[[O:.*]] = litho_tensor.attention %[[Q]], %[[KT]], %[[V]] mask %[[MASK]] {scale = 1.250000e-01 : f64, zero_masked_rows} : (tensor<1x2x5x8xf32>, tensor<1x2x8x7xf32>, tensor<1x2x7x3xf32>, tensor<1x1x5x7xf32>) -> tensor<1x2x5x3xf32>
// CHECK-NEXT: %[[FLAT:.*]] = litho_tensor.reshape %[[O]] : tensor<1x2x5x3xf32> -> tensor<2x5x3xf32>
// CHECK-NEXT: func.return %[[FLAT]]
func.func @masked(%q: tensor<1x2x5x8xf32>, %kt: tensor<1x2x8x7xf32>, %v: tensor<1x2x7x3xf32>, %m: tensor<5x7xi1>) -> tensor<2x5x3xf32> {
  %c = litho_tensor.constant dense<0.125> : tensor<f32>
  %qs = litho_tensor.mul %q, %c : (tensor<1x2x5x8xf32>, tensor<f32>) -> tensor<1x2x5x8xf32>
  %q3 = litho_tensor.reshape %qs : tensor<1x2x5x8xf32> -> tensor<2x5x8xf32>
  %k3 = litho_tensor.reshape %kt : tensor<1x2x8x7xf32> -> tensor<2x8x7xf32>
  %s3 = litho_tensor.matmul %q3, %k3 : (tensor<2x5x8xf32>, tensor<2x8x7xf32>) -> tensor<2x5x7xf32>
  %s = litho_tensor.reshape %s3 : tensor<2x5x7xf32> -> tensor<1x2x5x7xf32>
  %ninf = litho_tensor.constant dense<0xFF800000> : tensor<f32>
  %w = litho_tensor.where %m, %s, %ninf : (tensor<5x7xi1>, tensor<1x2x5x7xf32>, tensor<f32>) -> tensor<1x2x5x7xf32>
  %max = litho_tensor.reduce_max %w {dims = array<i64: 3>, keepdim} : tensor<1x2x5x7xf32> -> tensor<1x2x5x1xf32>
  %sub = litho_tensor.sub %w, %max : (tensor<1x2x5x7xf32>, tensor<1x2x5x1xf32>) -> tensor<1x2x5x7xf32>
  %e = litho_tensor.exp %sub : tensor<1x2x5x7xf32>
  %sum = litho_tensor.reduce_sum %e {dims = array<i64: 3>, keepdim} : tensor<1x2x5x7xf32> -> tensor<1x2x5x1xf32>
  %p = litho_tensor.div %e, %sum : (tensor<1x2x5x7xf32>, tensor<1x2x5x1xf32>) -> tensor<1x2x5x7xf32>
  %empty = litho_tensor.cmp "eq", %max, %ninf : (tensor<1x2x5x1xf32>, tensor<f32>) -> tensor<1x2x5x1xi1>
  %zero = litho_tensor.constant dense<0.0> : tensor<f32>
  %safe = litho_tensor.where %empty, %zero, %p : (tensor<1x2x5x1xi1>, tensor<f32>, tensor<1x2x5x7xf32>) -> tensor<1x2x5x7xf32>
  %p3 = litho_tensor.reshape %safe : tensor<1x2x5x7xf32> -> tensor<2x5x7xf32>
  %v3 = litho_tensor.reshape %v : tensor<1x2x7x3xf32> -> tensor<2x7x3xf32>
  %o = litho_tensor.matmul %p3, %v3 : (tensor<2x5x7xf32>, tensor<2x7x3xf32>) -> tensor<2x5x3xf32>
  func.return %o : tensor<2x5x3xf32>
}

// Written by hand: the scores divided by a constant after the matmul (the scale is its
// inverse) and an additive mask broadcast along the keys, which the op takes full width.
// CHECK-LABEL: func.func @additive
// CHECK-SAME: (%[[Q:.*]]: tensor<4x6xf32>, %[[KT:.*]]: tensor<6x9xf32>, %[[V:.*]]: tensor<9x2xf32>, %[[M:.*]]: tensor<4x1xf32>)
// CHECK-NEXT: %[[WIDE:.*]] = litho_tensor.broadcast %[[M]] : tensor<4x1xf32> -> tensor<4x9xf32>
// CHECK-NEXT: %[[O:.*]] = litho_tensor.attention %[[Q]], %[[KT]], %[[V]] mask %[[WIDE]] {scale = 2.500000e-01 : f64}
// CHECK-NEXT: func.return %[[O]]
func.func @additive(%q: tensor<4x6xf32>, %kt: tensor<6x9xf32>, %v: tensor<9x2xf32>, %m: tensor<4x1xf32>) -> tensor<4x2xf32> {
  %s = litho_tensor.matmul %q, %kt : (tensor<4x6xf32>, tensor<6x9xf32>) -> tensor<4x9xf32>
  %four = litho_tensor.constant dense<4.0> : tensor<f32>
  %scaled = litho_tensor.div %s, %four : (tensor<4x9xf32>, tensor<f32>) -> tensor<4x9xf32>
  %w = litho_tensor.add %m, %scaled : (tensor<4x1xf32>, tensor<4x9xf32>) -> tensor<4x9xf32>
  %max = litho_tensor.reduce_max %w {dims = array<i64: 1>, keepdim} : tensor<4x9xf32> -> tensor<4x1xf32>
  %sub = litho_tensor.sub %w, %max : (tensor<4x9xf32>, tensor<4x1xf32>) -> tensor<4x9xf32>
  %e = litho_tensor.exp %sub : tensor<4x9xf32>
  %sum = litho_tensor.reduce_sum %e {dims = array<i64: 1>, keepdim} : tensor<4x9xf32> -> tensor<4x1xf32>
  %p = litho_tensor.div %e, %sum : (tensor<4x9xf32>, tensor<4x1xf32>) -> tensor<4x9xf32>
  %o = litho_tensor.matmul %p, %v : (tensor<4x9xf32>, tensor<9x2xf32>) -> tensor<4x2xf32>
  func.return %o : tensor<4x2xf32>
}

// The probabilities are also returned: they must exist, so nothing is fused.
// CHECK-LABEL: func.func @probabilities_read
// CHECK-NOT: litho_tensor.attention
// CHECK: litho_tensor.reduce_max
// CHECK: litho_tensor.matmul
func.func @probabilities_read(%q: tensor<4x6xf32>, %kt: tensor<6x9xf32>, %v: tensor<9x2xf32>) -> (tensor<4x2xf32>, tensor<4x9xf32>) {
  %s = litho_tensor.matmul %q, %kt : (tensor<4x6xf32>, tensor<6x9xf32>) -> tensor<4x9xf32>
  %max = litho_tensor.reduce_max %s {dims = array<i64: 1>, keepdim} : tensor<4x9xf32> -> tensor<4x1xf32>
  %sub = litho_tensor.sub %s, %max : (tensor<4x9xf32>, tensor<4x1xf32>) -> tensor<4x9xf32>
  %e = litho_tensor.exp %sub : tensor<4x9xf32>
  %sum = litho_tensor.reduce_sum %e {dims = array<i64: 1>, keepdim} : tensor<4x9xf32> -> tensor<4x1xf32>
  %p = litho_tensor.div %e, %sum : (tensor<4x9xf32>, tensor<4x1xf32>) -> tensor<4x9xf32>
  %o = litho_tensor.matmul %p, %v : (tensor<4x9xf32>, tensor<9x2xf32>) -> tensor<4x2xf32>
  func.return %o, %p : tensor<4x2xf32>, tensor<4x9xf32>
}
