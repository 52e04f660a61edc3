// RUN: litho-opt %s | litho-opt | filecheck %s
// RUN: litho-opt %s --print-op-generic | litho-opt | filecheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<3x4xf32>, %b: tensor<4xf32>, %c: tensor<3x4xi64>) -> tensor<3x4xf32> {
  // CHECK: litho_tensor.add %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %0 = litho_tensor.add %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.sub
  %1 = litho_tensor.sub %0, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.mul
  %2 = litho_tensor.mul %1, %a : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.div
  %3 = litho_tensor.div %2, %a : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.max
  %4 = litho_tensor.max %3, %a : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.min
  %5 = litho_tensor.min %4, %a : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.add %{{.*}} : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  %i = litho_tensor.add %c, %c : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  // CHECK: litho_tensor.neg %{{.*}} : tensor<3x4xf32>
  %6 = litho_tensor.neg %5 : tensor<3x4xf32>
  // CHECK: litho_tensor.exp
  %7 = litho_tensor.exp %6 : tensor<3x4xf32>
  // CHECK: litho_tensor.log
  %8 = litho_tensor.log %7 : tensor<3x4xf32>
  // CHECK: litho_tensor.tanh
  %9 = litho_tensor.tanh %8 : tensor<3x4xf32>
  // CHECK: litho_tensor.sqrt
  %10 = litho_tensor.sqrt %9 : tensor<3x4xf32>
  // CHECK: litho_tensor.rsqrt
  %11 = litho_tensor.rsqrt %10 : tensor<3x4xf32>
  // CHECK: litho_tensor.erf
  %12 = litho_tensor.erf %11 : tensor<3x4xf32>
  // CHECK: litho_tensor.sigmoid
  %13 = litho_tensor.sigmoid %12 : tensor<3x4xf32>
  // CHECK: litho_tensor.relu
  %14 = litho_tensor.relu %13 : tensor<3x4xf32>
  // CHECK: litho_tensor.gelu %{{.*}} {approximate = "tanh"} : tensor<3x4xf32>
  %15 = litho_tensor.gelu %14 {approximate = "tanh"} : tensor<3x4xf32>
  // CHECK: litho_tensor.gelu %{{.*}} : tensor<3x4xf32>
  %16 = litho_tensor.gelu %15 : tensor<3x4xf32>
  // CHECK: litho_tensor.reciprocal %{{.*}} : tensor<3x4xf32>
  %17 = litho_tensor.reciprocal %16 : tensor<3x4xf32>
  // CHECK: litho_tensor.abs %{{.*}} : tensor<3x4xf32>
  %18 = litho_tensor.abs %17 : tensor<3x4xf32>
  // CHECK: litho_tensor.abs %{{.*}} : tensor<3x4xi64>
  %ia = litho_tensor.abs %i : tensor<3x4xi64>
  // CHECK: litho_tensor.neg %{{.*}} : tensor<3x4xi64>
  %in = litho_tensor.neg %ia : tensor<3x4xi64>
  // CHECK: litho_tensor.relu %{{.*}} : tensor<3x4xi64>
  %ir = litho_tensor.relu %in : tensor<3x4xi64>
  // CHECK: litho_tensor.int_div %{{.*}}, %{{.*}} {rounding = "floor"} : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  %iq = litho_tensor.int_div %ir, %c {rounding = "floor"} : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  func.return %18 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @select_and_cast
func.func @select_and_cast(%a: tensor<3x4xf32>, %b: tensor<f32>) -> tensor<3x4xi64> {
  // CHECK: litho_tensor.constant dense<2.000000e+00> : tensor<f32>
  %c = litho_tensor.constant dense<2.0> : tensor<f32>
  // CHECK: litho_tensor.cmp "lt", %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  %m = litho_tensor.cmp "lt", %a, %c : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  // CHECK: litho_tensor.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %w = litho_tensor.where %m, %a, %b : (tensor<3x4xi1>, tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  // CHECK: litho_tensor.cast %{{.*}} : tensor<3x4xf32> -> tensor<3x4xi64>
  %i = litho_tensor.cast %w : tensor<3x4xf32> -> tensor<3x4xi64>
  func.return %i : tensor<3x4xi64>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %r: tensor<3x1xf32>) -> tensor<6xf32> {
  // CHECK: litho_tensor.broadcast %{{.*}} : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %e = litho_tensor.broadcast %r : tensor<3x1xf32> -> tensor<2x3x4xf32>
  // CHECK: litho_tensor.permute %{{.*}} {dims = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %p = litho_tensor.permute %e {dims = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: litho_tensor.reshape %{{.*}} : tensor<4x2x3xf32> -> tensor<24xf32>
  %f = litho_tensor.reshape %p : tensor<4x2x3xf32> -> tensor<24xf32>
  // CHECK: litho_tensor.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %m = litho_tensor.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: litho_tensor.reduce_sum %{{.*}} {dims = array<i64: 2>, keepdim} : tensor<2x3x5xf32> -> tensor<2x3x1xf32>
  %s = litho_tensor.reduce_sum %m {dims = array<i64: 2>, keepdim} : tensor<2x3x5xf32> -> tensor<2x3x1xf32>
  // CHECK: litho_tensor.reduce_mean %{{.*}} {dims = array<i64: 0, 2>} : tensor<2x3x1xf32> -> tensor<3xf32>
  %mean = litho_tensor.reduce_mean %s {dims = array<i64: 0, 2>} : tensor<2x3x1xf32> -> tensor<3xf32>
  // CHECK: litho_tensor.reduce_max %{{.*}} {dims = array<i64: 0>} : tensor<4x2x3xf32> -> tensor<2x3xf32>
  %mx = litho_tensor.reduce_max %p {dims = array<i64: 0>} : tensor<4x2x3xf32> -> tensor<2x3xf32>
  // CHECK: litho_tensor.reduce_min %{{.*}} {dims = array<i64: 1>, keepdim} : tensor<2x3xf32> -> tensor<2x1xf32>
  %mn = litho_tensor.reduce_min %mx {dims = array<i64: 1>, keepdim} : tensor<2x3xf32> -> tensor<2x1xf32>
  %d = litho_tensor.sub %mx, %mn : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %flat = litho_tensor.reshape %d : tensor<2x3xf32> -> tensor<6xf32>
  func.return %flat : tensor<6xf32>
}
