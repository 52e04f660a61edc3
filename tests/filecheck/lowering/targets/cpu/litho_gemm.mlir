// RUN: litho-opt %s -p 'litho-gemm{vector_width=4 rows=2 columns=8 depth=4 row_block=4 column_block=16 min_parallel_work=0 threads=2}' | filecheck %s

// A matmul after its zero fill: the fill goes; a block of columns per thread, in it blocks
// of columns, of k, of rows, panels of columns, tiles of rows; the tile's 2 x 2 vectors of accumulators
// start masked-loaded from C (nothing in the first block of k), take one broadcast of A
// per row and one vector of B per lane group in each step of k, and are stored masked.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<5x9xf32>, %[[B:.*]]: memref<9x10xf32>, %[[C:.*]]: memref<5x10xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for %[[PC:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.create_mask %{{.*}} : vector<4xi1>
// CHECK: %[[ACC:.*]] = vector.maskedload %[[C]][%{{.*}}, %{{.*}}], %{{.*}}, %{{.*}} : memref<5x10xf32>, vector<4xi1>, vector<4xf32> into vector<4xf32>
// CHECK: %{{.*}} = scf.for %[[K:.*]] = %[[PC]] to %{{.*}} step %{{.*}} iter_args(%[[CARRIED:.*]] = %[[ACC]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK-NEXT: %[[B0:.*]] = vector.maskedload %[[B]][%[[K]], %{{.*}}]
// CHECK-NEXT: vector.maskedload %[[B]][%[[K]], %{{.*}}]
// CHECK-NEXT: %[[A0:.*]] = memref.load %[[A]][%{{.*}}, %[[K]]] : memref<5x9xf32>
// CHECK-NEXT: %[[LANES:.*]] = vector.broadcast %[[A0]] : f32 to vector<4xf32>
// CHECK-NEXT: vector.fma %[[LANES]], %[[B0]], %[[CARRIED]] : vector<4xf32>
// CHECK-COUNT-4: vector.maskedstore %[[C]]
func.func @matmul(%a: memref<5x9xf32>, %b: memref<9x10xf32>, %c: memref<5x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%c : memref<5x10xf32>) {
  ^bb0(%o: f32):
    %zero = arith.constant 0.000000e+00 : f32
    linalg.yield %zero : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %b : memref<5x9xf32>, memref<9x10xf32>) outs(%c : memref<5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  func.return
}

// A batched matmul of a transposed A (read as A[b, k, i]): a loop over the batch outside;
// a matmul of f64, or one whose B is not indexed by j last, stays a generic.
// CHECK-LABEL: func.func @batched_transposed
// CHECK: scf.for %[[BATCH:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.load %{{.*}}[%[[BATCH]], %{{.*}}, %{{.*}}] : memref<3x9x5xf32>
// CHECK-LABEL: func.func @not_matmuls
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: vector.fma
func.func @batched_transposed(%a: memref<3x9x5xf32>, %b: memref<3x9x10xf32>, %c: memref<3x5x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x9x5xf32>, memref<3x9x10xf32>) outs(%c : memref<3x5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  func.return
}

func.func @not_matmuls(%a: memref<5x9xf64>, %b: memref<9x10xf64>, %c: memref<5x10xf64>, %bt: memref<10x9xf32>, %a32: memref<5x9xf32>, %c32: memref<5x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %b : memref<5x9xf64>, memref<9x10xf64>) outs(%c : memref<5x10xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a32, %bt : memref<5x9xf32>, memref<10x9xf32>) outs(%c32 : memref<5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}
