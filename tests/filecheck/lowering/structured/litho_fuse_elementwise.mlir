// RUN: litho-opt %s -p litho-fuse-elementwise | filecheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @chain
func.func @chain(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // exp(x) * y: one generic reading x and y, computing exp then mulf
  // CHECK: %[[R:.*]] = linalg.generic
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32>)
  // CHECK-NEXT: ^{{.*}}(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[A]] : f32
  // CHECK-NEXT: %[[M:.*]] = arith.mulf %[[E]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[M]] : f32
  // CHECK-NOT: linalg.generic
  // CHECK: func.return %[[R]]
  %e0 = tensor.empty() : tensor<4x8xf32>
  %e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %m0 = tensor.empty() : tensor<4x8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%e, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%m0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  func.return %m : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @transpose_and_broadcast
func.func @transpose_and_broadcast(%x: tensor<8x4xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // The transpose and the broadcast become the add's indexing maps: no copies.
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<8xf32>)
  // CHECK-NOT: linalg.generic
  %t0 = tensor.empty() : tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x4xf32>) outs(%t0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<4x8xf32>
  %s0 = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<8xf32>) outs(%s0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<4x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%t, %s : tensor<4x8xf32>, tensor<4x8xf32>) outs(%r0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %v = arith.addf %a, %c : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @shared_expensive_producer
func.func @shared_expensive_producer(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // exp has two users: recomputing it in both would cost more than its buffer.
  // CHECK: litho.unfused = "it has 2 users and its body would be recomputed in each"
  // CHECK: math.exp
  // CHECK-NOT: math.exp
  %e0 = tensor.empty() : tensor<4xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e0 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %n0 = tensor.empty() : tensor<4xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%e : tensor<4xf32>) outs(%n0 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %d0 = tensor.empty() : tensor<4xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%e : tensor<4xf32>) outs(%d0 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  func.return %n, %d : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @matmul_operands
func.func @matmul_operands(%a: tensor<4x8xf32>, %w: tensor<6x8xf32>, %acc: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // A transposed weight stays a copy (the matmul's innermost loop would read it with a
  // stride), and an expensive producer is not recomputed for every output column.
  // CHECK: litho.unfused = "its body would be recomputed for every read of an element by the consumer"
  // CHECK: math.tanh
  // CHECK: litho.unfused = "the consumer would read its inputs with a stride in its innermost loop"
  // CHECK: arith.mulf
  // CHECK-NOT: math.tanh
  %h0 = tensor.empty() : tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%h0 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.tanh %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %t0 = tensor.empty() : tensor<8x6xf32>
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<6x8xf32>) outs(%t0 : tensor<8x6xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x6xf32>
  %mm = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%h, %t : tensor<4x8xf32>, tensor<8x6xf32>) outs(%acc : tensor<4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  func.return %mm : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @reduction_producer
func.func @reduction_producer(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: litho.unfused = "it is a reduction (its result is complete only after all its loops)"
  %s = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %n0 = tensor.empty() : tensor<4xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s : tensor<4xf32>) outs(%n0 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}
