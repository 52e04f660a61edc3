// RUN: sed -n "s/.*expected-error @+1 {{\(.*\)}}$/CHECK: \1/p" %s > %t
// RUN: litho-opt %s --split-input-file --verify-diagnostics | filecheck %t

// litho-opt --verify-diagnostics prints each chunk's verifier error and exits 0 without
// comparing it with the expected-error line; the first RUN line turns every expected
// message into a CHECK line, so filecheck compares them, in order.

func.func @no_broadcast(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{litho_tensor.add: operand shapes (3, 4) and (5, 4) do not broadcast}}
  %0 = litho_tensor.add %a, %b : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @wrong_result_shape(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{litho_tensor.mul: result shape (4,) should be (3, 4)}}
  %0 = litho_tensor.mul %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @mixed_element_types(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{litho_tensor.sub: operand element types differ (f32, f64, f32)}}
  %0 = litho_tensor.sub %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  func.return
}

// -----

func.func @integer_division(%a: tensor<4xi64>) {
  // expected-error @+1 {{litho_tensor.div: operands must be float tensors}}
  %0 = litho_tensor.div %a, %a : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  func.return
}

// -----

func.func @bad_gelu(%a: tensor<4xf32>) {
  // expected-error @+1 {{litho_tensor.gelu: approximate must be one of ('none', 'tanh'), not 'fast'}}
  %0 = litho_tensor.gelu %a {approximate = "fast"} : tensor<4xf32>
  func.return
}

// -----

func.func @bad_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{litho_tensor.cmp: predicate must be one of ('eq', 'ne', 'lt', 'le', 'gt', 'ge'), not 'olt'}}
  %0 = litho_tensor.cmp "olt", %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  func.return
}

// -----

func.func @bad_where(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{litho_tensor.where: operand shapes (4,) and (4,) and (3,) do not broadcast}}
  %0 = litho_tensor.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @bad_cast(%a: tensor<4xf32>) {
  // expected-error @+1 {{litho_tensor.cast: result shape (3,) should be (4,)}}
  %0 = litho_tensor.cast %a : tensor<4xf32> -> tensor<3xi64>
  func.return
}

// -----

func.func @bad_broadcast(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{litho_tensor.broadcast: result rank is below the input rank}}
  %0 = litho_tensor.broadcast %a : tensor<2x3xf32> -> tensor<3xf32>
  func.return
}

// -----

func.func @bad_reshape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{litho_tensor.reshape: cannot reshape (2, 3) (6 elements) to (4,) (4 elements)}}
  %0 = litho_tensor.reshape %a : tensor<2x3xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @bad_permute(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{litho_tensor.permute: dims (0, 0) are not a permutation of 0..1}}
  %0 = litho_tensor.permute %a {dims = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  func.return
}

// -----

func.func @bad_matmul(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{litho_tensor.matmul: contracted sizes differ: lhs (2, 3) has K=3, rhs (4, 5) has K=4}}
  %0 = litho_tensor.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{litho_tensor.matmul: operands must have rank 2 or more}}
  %0 = litho_tensor.matmul %a, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  func.return
}

// -----

func.func @bad_reduction_dim(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{litho_tensor.reduce_sum: dim 2 is out of range for rank 2}}
  %0 = litho_tensor.reduce_sum %a {dims = array<i64: 2>} : tensor<2x3xf32> -> tensor<2xf32>
  func.return
}

// -----

func.func @bad_reduction_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{litho_tensor.reduce_max: result shape (2,) should be (2, 1)}}
  %0 = litho_tensor.reduce_max %a {dims = array<i64: 1>, keepdim} : tensor<2x3xf32> -> tensor<2xf32>
  func.return
}

// -----

func.func @bad_constant() {
  // expected-error @+1 {{litho_tensor.constant: value type tensor<2xf32> differs from result type tensor<3xf32>}}
  %0 = "litho_tensor.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  func.return
}

// -----

func.func @slice_out_of_range(%a: tensor<5xf32>) {
  // expected-error @+1 {{litho_tensor.slice: 3 elements from 2 by 2 do not fit in dim 0 of size 5}}
  %0 = litho_tensor.slice %a {dim = 0 : i64, start = 2 : i64, step = 2 : i64} : tensor<5xf32> -> tensor<3xf32>
  func.return
}

// -----

func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{litho_tensor.concat: input shape (2, 4) does not match result (4, 3) outside dim 0}}
  %0 = litho_tensor.concat %a, %b {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

func.func @conv_groups(%x: tensor<1x4x6x6xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{litho_tensor.conv: input (1, 4, 6, 6) and weight (4, 3, 3, 3) do not make a convolution with 2 group(s)}}
  %0 = litho_tensor.conv %x, %w {stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  func.return
}

// -----

func.func @pool_window_too_large(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{litho_tensor.pool: window (3, 3) with stride (1, 1) and dilation (1, 1) does not fit in (2, 2)}}
  %0 = litho_tensor.pool %x {kind = "max", window = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  func.return
}

// -----

func.func @abs_of_bools(%a: tensor<4xi1>) {
  // expected-error @+1 {{litho_tensor.abs: operand must be a float or integer tensor, not i1}}
  %0 = litho_tensor.abs %a : tensor<4xi1>
  func.return
}

// -----

func.func @reciprocal_of_integers(%a: tensor<4xi64>) {
  // expected-error @+1 {{Unexpected attribute i64}}
  %0 = litho_tensor.reciprocal %a : tensor<4xi64>
  func.return
}

// -----

func.func @int_div_of_floats(%a: tensor<4xf32>) {
  // expected-error @+1 {{litho_tensor.int_div: operands must be integer tensors other than i1, not f32}}
  %0 = litho_tensor.int_div %a, %a {rounding = "floor"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @int_div_rounding(%a: tensor<4xi64>) {
  // expected-error @+1 {{litho_tensor.int_div: rounding must be one of ('floor', 'trunc'), not 'ceil'}}
  %0 = litho_tensor.int_div %a, %a {rounding = "ceil"} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  func.return
}
