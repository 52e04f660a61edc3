// RUN: litho-opt %s --split-input-file --verify-diagnostics | filecheck %s

// litho-opt --verify-diagnostics prints each chunk's verifier error and exits 0; the
// CHECK lines make the messages part of the test.

func.func @conv_zero_stride(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+1 {{litho_tensor.conv: stride must be at least 1 in every dim, got (0, 1)}}
  %0 = litho_tensor.conv %x, %w {stride = array<i64: 0, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// CHECK: litho_tensor.conv: stride must be at least 1 in every dim, got (0, 1)

// -----

func.func @conv_zero_dilation(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+1 {{litho_tensor.conv: dilation must be at least 1 in every dim, got (1, 0)}}
  %0 = litho_tensor.conv %x, %w {stride = array<i64: 1, 1>, dilation = array<i64: 1, 0>, groups = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// CHECK: litho_tensor.conv: dilation must be at least 1 in every dim, got (1, 0)

// -----

func.func @conv_zero_kernel(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x0x3xf32>) {
  // expected-error @+1 {{litho_tensor.conv: kernel must be at least 1 in every dim, got (0, 3)}}
  %0 = litho_tensor.conv %x, %w {stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x0x3xf32>) -> tensor<1x4x9x6xf32>
  func.return
}

// CHECK: litho_tensor.conv: kernel must be at least 1 in every dim, got (0, 3)

// -----

func.func @pool_zero_window(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{litho_tensor.pool: window must be at least 1 in every dim, got (0, 0)}}
  %0 = litho_tensor.pool %x {kind = "max", window = array<i64: 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x9x9xf32>
  func.return
}

// CHECK: litho_tensor.pool: window must be at least 1 in every dim, got (0, 0)

// -----

func.func @pool_zero_stride(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{litho_tensor.pool: stride must be at least 1 in every dim, got (2, 0)}}
  %0 = litho_tensor.pool %x {kind = "sum", window = array<i64: 2, 2>, stride = array<i64: 2, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  func.return
}

// CHECK: litho_tensor.pool: stride must be at least 1 in every dim, got (2, 0)

// -----

func.func @check_bounds_of_an_empty_dim(%ids: tensor<4xi64>) {
  // expected-error @+1 {{litho_tensor.check_bounds: size must be at least 1}}
  %0 = litho_tensor.check_bounds %ids {size = 0 : i64, dim = 0 : i64, where = "take"} : tensor<4xi64> -> tensor<4xi64>
  func.return
}

// CHECK: litho_tensor.check_bounds: size must be at least 1

// -----

func.func @sort_indices_of_another_shape(%x: tensor<3x5xf32>) {
  // expected-error @+1 {{litho_tensor.sort: result shape (3, 4) should be (3, 5)}}
  %v, %i = litho_tensor.sort %x {dim = 1 : i64} : tensor<3x5xf32> -> (tensor<3x5xf32>, tensor<3x4xi64>)
  func.return
}

// CHECK: litho_tensor.sort: result shape (3, 4) should be (3, 5)

// -----

func.func @scatter_updates_of_another_shape(%x: tensor<5x3xf32>, %i: tensor<4xi64>, %u: tensor<3x4xf32>) {
  // expected-error @+1 {{litho_tensor.scatter: updates shape (3, 4) should be (4, 3)}}
  %0 = litho_tensor.scatter %x, %i, %u {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>, tensor<3x4xf32>) -> tensor<5x3xf32>
  func.return
}

// CHECK: litho_tensor.scatter: updates shape (3, 4) should be (4, 3)
