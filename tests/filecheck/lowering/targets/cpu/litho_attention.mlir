// RUN: litho-opt %s -p 'convert-litho-tensor-to-linalg,litho-outline-kernels,litho-bufferize' | filecheck %s --check-prefix=GENERICS
// RUN: litho-opt %s -p 'convert-litho-tensor-to-linalg,litho-outline-kernels,litho-bufferize,litho-attention{vector_width=4 min_parallel_work=0 threads=2}' | filecheck %s

// An attention is six generics marked with their roles, in one kernel.
// GENERICS: func.func private @kernel0
// GENERICS: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<2x5x8xf32>, memref<2x8x7xf32>) {{.*}} {litho.attention = "scores"}
// GENERICS: linalg.generic {{.*}} {litho.attention = "maxima"}
// GENERICS: linalg.generic {{.*}} {litho.attention = "weights"}
// GENERICS: linalg.generic {{.*}} {litho.attention = "sums"}
// GENERICS: linalg.generic {{.*}} {litho.attention = "values"}
// GENERICS: linalg.generic {{.*}} {litho.attention = "normalize"}

// litho-attention: no generic and no buffer is left; in parallel over (batch, tile of
// query rows), a loop over blocks of 4 keys carries the maxima, sums and accumulators;
// in it, the block's scores (a loop over d: one vector of kt, one broadcast query
// element per row), the mask added, the block's max and sum reduced across lanes, and
// the weighted values; at the end, the accumulators divided by the sums, stored masked.
// CHECK: func.func private @kernel0
// CHECK-SAME: (%[[Q:.*]]: memref<2x5x8xf32>, %[[KT:.*]]: memref<2x8x7xf32>, %[[M:.*]]: memref<1x5x7xf32>, %[[V:.*]]: memref<2x7x3xf32>, %[[O:.*]]: memref<2x5x3xf32>)
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: scf.for %[[D:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-NEXT: %[[KEYS:.*]] = vector.maskedload %[[KT]][%{{.*}}, %[[D]], %[[J]]]
// CHECK-NEXT: %[[QD:.*]] = memref.load %[[Q]][%{{.*}}, %{{.*}}, %[[D]]]
// CHECK-NEXT: arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[QD]]
// CHECK-NEXT: %[[SPREAD:.*]] = vector.broadcast %[[SCALED]] : f32 to vector<4xf32>
// CHECK-NEXT: vector.fma %[[SPREAD]], %[[KEYS]]
// CHECK: vector.maskedload %[[M]][%{{.*}}, %{{.*}}, %[[J]]]
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp %{{.*}} : vector<4xf32>
// CHECK: vector.reduction <add>
// CHECK: vector.maskedload %[[V]]
// CHECK: vector.extract
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: arith.divf %{{.*}} : vector<4xf32>
// CHECK: vector.maskedstore %[[O]]
func.func @attention(%q: tensor<2x5x8xf32>, %kt: tensor<2x8x7xf32>, %v: tensor<2x7x3xf32>, %m: tensor<1x5x7xf32>) -> tensor<2x5x3xf32> {
  %o = litho_tensor.attention %q, %kt, %v mask %m {scale = 0.125 : f64} : (tensor<2x5x8xf32>, tensor<2x8x7xf32>, tensor<2x7x3xf32>, tensor<1x5x7xf32>) -> tensor<2x5x3xf32>
  func.return %o : tensor<2x5x3xf32>
}
