// RUN: litho-opt %s | litho-opt | filecheck %s
// RUN: litho-opt %s --print-op-generic | litho-opt | filecheck %s

// CHECK-LABEL: func.func @indexing
func.func @indexing(%v: tensor<5x3xf32>) -> (tensor<4x3xf32>, tensor<2x6xf32>, tensor<4xi64>) {
  // CHECK: litho_tensor.iota {dim = 0 : i64} : tensor<4xi64>
  %i = litho_tensor.iota {dim = 0 : i64} : tensor<4xi64>
  %two = litho_tensor.constant dense<2> : tensor<i64>
  %n = litho_tensor.sub %i, %two : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  // CHECK: litho_tensor.check_bounds %{{.*}} {size = 5 : i64, dim = 0 : i64, where = "take at m.py:3", wrap} : tensor<4xi64> -> tensor<4xi64>
  %nc = litho_tensor.check_bounds %n {size = 5 : i64, dim = 0 : i64, where = "take at m.py:3", wrap} : tensor<4xi64> -> tensor<4xi64>
  // CHECK: litho_tensor.take %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  %t = litho_tensor.take %v, %nc {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  %gi = litho_tensor.iota {dim = 1 : i64} : tensor<5x3xi64>
  // CHECK: litho_tensor.gather %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<5x3xf32>, tensor<5x3xi64>) -> tensor<5x3xf32>
  %g = litho_tensor.gather %v, %gi {dim = 0 : i64} : (tensor<5x3xf32>, tensor<5x3xi64>) -> tensor<5x3xf32>
  // CHECK: litho_tensor.cumsum %{{.*}} {dim = 0 : i64} : tensor<5x3xf32> -> tensor<5x3xf32>
  %cs = litho_tensor.cumsum %g {dim = 0 : i64} : tensor<5x3xf32> -> tensor<5x3xf32>
  // CHECK: litho_tensor.slice %{{.*}} {dim = 0 : i64, start = 1 : i64, step = 2 : i64} : tensor<5x3xf32> -> tensor<2x3xf32>
  %s1 = litho_tensor.slice %cs {dim = 0 : i64, start = 1 : i64, step = 2 : i64} : tensor<5x3xf32> -> tensor<2x3xf32>
  %s2 = litho_tensor.slice %v {dim = 0 : i64, start = 0 : i64, step = 1 : i64} : tensor<5x3xf32> -> tensor<2x3xf32>
  // CHECK: litho_tensor.cos
  %c = litho_tensor.cos %s1 : tensor<2x3xf32>
  // CHECK: litho_tensor.sin
  %s = litho_tensor.sin %s2 : tensor<2x3xf32>
  // CHECK: litho_tensor.concat %{{.*}}, %{{.*}} {dim = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  %cat = litho_tensor.concat %c, %s {dim = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  %e = litho_tensor.exp %cat : tensor<2x6xf32>
  %half = litho_tensor.constant dense<1.5> : tensor<f32>
  // CHECK: litho_tensor.pow
  %pw = litho_tensor.pow %e, %half : (tensor<2x6xf32>, tensor<f32>) -> tensor<2x6xf32>
  // CHECK: litho_tensor.and
  %a = litho_tensor.and %n, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: litho_tensor.or
  %o = litho_tensor.or %a, %two : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  // CHECK: litho_tensor.xor
  %x = litho_tensor.xor %o, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  func.return %t, %pw, %x : tensor<4x3xf32>, tensor<2x6xf32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @windows
func.func @windows(%x: tensor<1x4x6x6xf32>, %w: tensor<4x2x3x3xf32>) -> (tensor<1x4x2x2xf32>, tensor<1x4x3x3xf32>) {
  // CHECK: litho_tensor.pad %{{.*}}high = array<i64: 0, 0, 1, 1>{{.*}} : tensor<1x4x6x6xf32> -> tensor<1x4x8x8xf32>
  %p = litho_tensor.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>, value = 0.0 : f64} : tensor<1x4x6x6xf32> -> tensor<1x4x8x8xf32>
  // CHECK: litho_tensor.conv %{{.*}}, %{{.*}}groups = 2 : i64{{.*}} -> tensor<1x4x2x2xf32>
  %c = litho_tensor.conv %p, %w {stride = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: litho_tensor.pool %{{.*}}kind = "max"{{.*}} -> tensor<1x4x3x3xf32>
  %m = litho_tensor.pool %p {kind = "max", window = array<i64: 3, 3>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x3x3xf32>
  %s = litho_tensor.pool %x {kind = "sum", window = array<i64: 2, 2>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : tensor<1x4x6x6xf32> -> tensor<1x4x3x3xf32>
  %r = litho_tensor.add %m, %s : (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return %c, %r : tensor<1x4x2x2xf32>, tensor<1x4x3x3xf32>
}

// CHECK-LABEL: func.func @sorting
func.func @sorting(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<2x5xi64>, tensor<3x5xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = litho_tensor.sort %{{.*}} {dim = 1 : i64} : tensor<3x5xf32> -> (tensor<3x5xf32>, tensor<3x5xi64>)
  %v, %i = litho_tensor.sort %x {dim = 1 : i64} : tensor<3x5xf32> -> (tensor<3x5xf32>, tensor<3x5xi64>)
  // CHECK: litho_tensor.sort %{{.*}} {dim = 0 : i64, descending} : tensor<3x5xf32> -> (tensor<3x5xf32>, tensor<3x5xi64>)
  %dv, %di = litho_tensor.sort %x {dim = 0 : i64, descending} : tensor<3x5xf32> -> (tensor<3x5xf32>, tensor<3x5xi64>)
  %top = litho_tensor.slice %di {dim = 0 : i64, start = 0 : i64, step = 1 : i64} : tensor<3x5xi64> -> tensor<2x5xi64>
  %ties = litho_tensor.cast %x : tensor<3x5xf32> -> tensor<3x5xi64>
  %tv, %ti = litho_tensor.sort %ties {dim = 1 : i64} : tensor<3x5xi64> -> (tensor<3x5xi64>, tensor<3x5xi64>)
  %sum = litho_tensor.add %tv, %ti : (tensor<3x5xi64>, tensor<3x5xi64>) -> tensor<3x5xi64>
  %w = litho_tensor.sub %v, %dv : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  func.return %w, %top, %sum : tensor<3x5xf32>, tensor<2x5xi64>, tensor<3x5xi64>
}

// CHECK-LABEL: func.func @scattering
func.func @scattering(%x: tensor<5x3xf32>, %u: tensor<4x3xf32>, %v: tensor<5x4xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>) {
  %i = litho_tensor.iota {dim = 0 : i64} : tensor<4xi64>
  %three = litho_tensor.constant dense<3> : tensor<i64>
  %reversed = litho_tensor.sub %three, %i : (tensor<i64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: litho_tensor.scatter %{{.*}}, %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>, tensor<4x3xf32>) -> tensor<5x3xf32>
  %s = litho_tensor.scatter %x, %reversed, %u {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>, tensor<4x3xf32>) -> tensor<5x3xf32>
  %grid = litho_tensor.reshape %reversed : tensor<4xi64> -> tensor<2x2xi64>
  %blocks = litho_tensor.reshape %u : tensor<4x3xf32> -> tensor<2x2x3xf32>
  %s2 = litho_tensor.scatter %s, %grid, %blocks {dim = 0 : i64} : (tensor<5x3xf32>, tensor<2x2xi64>, tensor<2x2x3xf32>) -> tensor<5x3xf32>
  %two = litho_tensor.constant dense<2> : tensor<i64>
  %pairs = litho_tensor.int_div %i, %two {rounding = "floor"} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  // CHECK: litho_tensor.scatter %{{.*}}, %{{.*}}, %{{.*}} {dim = 1 : i64, accumulate} : (tensor<5x3xf32>, tensor<4xi64>, tensor<5x4xf32>) -> tensor<5x3xf32>
  %a = litho_tensor.scatter %x, %pairs, %v {dim = 1 : i64, accumulate} : (tensor<5x3xf32>, tensor<4xi64>, tensor<5x4xf32>) -> tensor<5x3xf32>
  func.return %s2, %a : tensor<5x3xf32>, tensor<5x3xf32>
}
