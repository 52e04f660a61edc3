// RUN: litho-opt %s -p convert-litho-tensor-to-linalg | filecheck %s

// CHECK-LABEL: func.func @broadcast_add
func.func @broadcast_add(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<3x4xf32>
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: outs(%[[E]] : tensor<3x4xf32>)
  // CHECK: arith.addf
  // CHECK-NOT: litho_tensor
  %0 = litho_tensor.add %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  func.return %0 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  // CHECK: arith.constant 0.000000e+00 : f32
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]}
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = litho_tensor.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  func.return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @reshape_and_permute
func.func @reshape_and_permute(%a: tensor<2x6xf32>) -> tensor<4x3xf32> {
  // CHECK: affine_map<(d0, d1) -> (d1, d0)>
  %t = litho_tensor.permute %a {dims = array<i64: 1, 0>} : tensor<2x6xf32> -> tensor<6x2xf32>
  // CHECK: affine_map<(d0, d1) -> ((((d0 * 3) + d1) floordiv 2), (((d0 * 3) + d1) mod 2))>
  %r = litho_tensor.reshape %t : tensor<6x2xf32> -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @reduce_max
func.func @reduce_max(%a: tensor<2x6xf32>) -> tensor<2x1xf32> {
  // CHECK: arith.constant 0xff800000 : f32
  // CHECK: iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  %m = litho_tensor.reduce_max %a {dims = array<i64: 1>, keepdim} : tensor<2x6xf32> -> tensor<2x1xf32>
  func.return %m : tensor<2x1xf32>
}

// CHECK-LABEL: func.func @reduce_min
func.func @reduce_min(%a: tensor<2x6xf32>, %b: tensor<2x6xi32>, %c: tensor<2x6xi1>) -> (tensor<2xf32>, tensor<2xi32>, tensor<2xi1>) {
  // CHECK: arith.constant 0x7f800000 : f32
  // CHECK: arith.minimumf
  %f = litho_tensor.reduce_min %a {dims = array<i64: 1>} : tensor<2x6xf32> -> tensor<2xf32>
  // CHECK: arith.constant 2147483647 : i32
  // CHECK: arith.minsi
  %i = litho_tensor.reduce_min %b {dims = array<i64: 1>} : tensor<2x6xi32> -> tensor<2xi32>
  // CHECK: arith.constant true
  // CHECK: arith.minui
  %t = litho_tensor.reduce_min %c {dims = array<i64: 1>} : tensor<2x6xi1> -> tensor<2xi1>
  func.return %f, %i, %t : tensor<2xf32>, tensor<2xi32>, tensor<2xi1>
}

// CHECK-LABEL: func.func @gelu_exact
func.func @gelu_exact(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: math.erf
  %g = litho_tensor.gelu %a : tensor<4xf32>
  func.return %g : tensor<4xf32>
}

// CHECK-LABEL: func.func @abs
func.func @abs(%a: tensor<4xf32>, %b: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // CHECK: %[[NEG:.*]] = arith.negf %[[X:.*]] : f32
  // CHECK: arith.maximumf %[[X]], %[[NEG]] : f32
  %f = litho_tensor.abs %a : tensor<4xf32>
  // CHECK: %[[NEGI:.*]] = arith.subi %{{.*}}, %[[Y:.*]] : i32
  // CHECK: arith.maxsi %[[Y]], %[[NEGI]] : i32
  %i = litho_tensor.abs %b : tensor<4xi32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK: arith.maxsi %{{.*}}, %[[ZERO]] : i32
  %r = litho_tensor.relu %i : tensor<4xi32>
  func.return %f, %r : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @reciprocal
func.func @reciprocal(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK: arith.divf %[[ONE]], %{{.*}} : f32
  %r = litho_tensor.reciprocal %a : tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @check_bounds
func.func @check_bounds(%ids: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: linalg.generic
  // CHECK: %[[I:.*]] = litho_guard.checked_index %{{.*}} {size = 7 : i64, dim = 1 : i64, where = "gather", wrap} : i32
  // CHECK: arith.index_cast %[[I]] : index to i32
  %c = litho_tensor.check_bounds %ids {size = 7 : i64, dim = 1 : i64, where = "gather", wrap} : tensor<4xi32> -> tensor<4xi32>
  func.return %c : tensor<4xi32>
}

// torch keeps bool + bool and bool * bool bool: True + True is True
// CHECK-LABEL: func.func @bool_add_and_mul
func.func @bool_add_and_mul(%a: tensor<4xi1>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>) {
  // CHECK: arith.ori %{{.*}}, %{{.*}} : i1
  %s = litho_tensor.add %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: arith.andi %{{.*}}, %{{.*}} : i1
  %p = litho_tensor.mul %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return %s, %p : tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @sort
func.func @sort(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>) {
  // each element's rank: a reduction over the others (d2), NaN above every number
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: arith.cmpf olt
  // CHECK: arith.cmpf une
  // the index that lands at each position
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: arith.select
  // the values read there
  // CHECK: linalg.generic
  // CHECK: tensor.extract
  // CHECK-NOT: litho_tensor.sort
  %v, %i = litho_tensor.sort %x {dim = 1 : i64} : tensor<2x4xf32> -> (tensor<2x4xf32>, tensor<2x4xi64>)
  func.return %v, %i : tensor<2x4xf32>, tensor<2x4xi64>
}

// CHECK-LABEL: func.func @int_div
func.func @int_div(%a: tensor<4xi64>, %b: tensor<i64>) -> (tensor<4xi64>, tensor<4xi64>) {
  // a zero or -1 divisor never reaches the division (no trap)
  // CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[B:.*]] : i64
  // CHECK: arith.floordivsi %[[A:.*]], %[[SAFE]] : i64
  %f = litho_tensor.int_div %a, %b {rounding = "floor"} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  // CHECK: arith.divsi
  %t = litho_tensor.int_div %a, %b {rounding = "trunc"} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  func.return %f, %t : tensor<4xi64>, tensor<4xi64>
}


// CHECK-LABEL: func.func @scatter
func.func @scatter(%x: tensor<5x3xf32>, %i: tensor<4xi64>, %u: tensor<4x3xf32>) -> tensor<5x3xf32> {
  // one generic over the destination (d0, d1) that reduces over the indices (d2)
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: %[[HIT:.*]] = arith.cmpi eq
  // CHECK: arith.select %[[HIT]]
  // CHECK-NOT: litho_tensor.scatter
  %s = litho_tensor.scatter %x, %i, %u {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>, tensor<4x3xf32>) -> tensor<5x3xf32>
  func.return %s : tensor<5x3xf32>
}
