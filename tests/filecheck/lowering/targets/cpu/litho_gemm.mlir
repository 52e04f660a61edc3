// RUN: litho-opt %s -p 'litho-gemm{vector_width=4 rows=2 columns=8 depth=4 row_block=4 column_block=16 min_parallel_work=0 threads=2}' | filecheck %s

// A matmul after its zero fill: the fill goes; a block of columns per thread, in it blocks
// of columns, of k, of rows, panels of columns, tiles of rows; the tile's 2 x 2 vectors of
// accumulators start at zero, take one broadcast of A per row and one vector of B per lane
// group in each step of k, and are added to C masked-loaded (nothing in the first block of
// k) and stored masked.
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
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK: %[[SUM:[^,]*]], %{{.*}}, %{{.*}}, %{{.*}} = scf.for %[[K:.*]] = %[[PC]] to %{{.*}} step %{{.*}} iter_args(%[[CARRIED:.*]] = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]]) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK-NEXT: %[[B0:.*]] = vector.maskedload %[[B]][%[[K]], %{{.*}}]
// CHECK-NEXT: vector.maskedload %[[B]][%[[K]], %{{.*}}]
// CHECK-NEXT: %[[A0:.*]] = memref.load %[[A]][%{{.*}}, %[[K]]] : memref<5x9xf32>
// CHECK-NEXT: %[[LANES:.*]] = vector.broadcast %[[A0]] : f32 to vector<4xf32>
// CHECK-NEXT: vector.fma %[[LANES]], %[[B0]], %[[CARRIED]] : vector<4xf32>
// CHECK: %[[BEFORE:.*]] = vector.maskedload %[[C]][%{{.*}}, %{{.*}}], %{{.*}}, %[[ZERO]] : memref<5x10xf32>, vector<4xi1>, vector<4xf32> into vector<4xf32>
// CHECK-NEXT: %[[TOTAL:.*]] = arith.addf %[[BEFORE]], %[[SUM]] : vector<4xf32>
// CHECK-NEXT: vector.maskedstore %[[C]][%{{.*}}, %{{.*}}], %{{.*}}, %[[TOTAL]]
// CHECK-COUNT-3: vector.maskedstore %[[C]]
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

// A batched matmul of a transposed A (read as A[b, k, i], one element at a time): a loop
// over the batch outside.
// CHECK-LABEL: func.func @batched_transposed
// CHECK: scf.for %[[BATCH:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.load %{{.*}}[%[[BATCH]], %{{.*}}, %{{.*}}] : memref<3x9x5xf32>
func.func @batched_transposed(%a: memref<3x9x5xf32>, %b: memref<3x9x10xf32>, %c: memref<3x5x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x9x5xf32>, memref<3x9x10xf32>) outs(%c : memref<3x5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  func.return
}

// A B read along k (a transposed weight) and an A read through a reshape's map are
// first copied into buffers the microkernel reads: A as [i, k], B as [k, j].
// CHECK-LABEL: func.func @packed
// CHECK-SAME: (%[[A:.*]]: memref<45xf32>, %[[B:.*]]: memref<10x9xf32>, %{{.*}}: memref<5x10xf32>)
// CHECK: %[[PA:.*]] = memref.alloc() : memref<5x9xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (((d0 * 9) + d1))>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[A]] : memref<45xf32>) outs(%[[PA]] : memref<5x9xf32>)
// CHECK: %[[PB:.*]] = memref.alloc() : memref<9x10xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[B]] : memref<10x9xf32>) outs(%[[PB]] : memref<9x10xf32>)
// CHECK: vector.maskedload %[[PB]]
// CHECK: memref.load %[[PA]]
func.func @packed(%a: memref<45xf32>, %bt: memref<10x9xf32>, %c: memref<5x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0 * 9 + d1)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %bt : memref<45xf32>, memref<10x9xf32>) outs(%c : memref<5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// A matmul of f64, and a product of f32 that is not a matmul (no j in C), stay generics.
// CHECK-LABEL: func.func @not_matmuls
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: vector.fma
func.func @not_matmuls(%a: memref<5x9xf64>, %b: memref<9x10xf64>, %c: memref<5x10xf64>, %x: memref<5x9xf32>, %y: memref<9xf32>, %z: memref<5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %b : memref<5x9xf64>, memref<9x10xf64>) outs(%c : memref<5x10xf64>) {
  ^bb0(%u: f64, %v: f64, %acc: f64):
    %p = arith.mulf %u, %v : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %y : memref<5x9xf32>, memref<9xf32>) outs(%z : memref<5xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// A convolution is a matmul whose j (the output's pixels) and k (channels and window)
// are several dimensions each, run through as one: the input's windows are copied
// (im2col) into [n, c, kh, kw, oh, ow] by a generic whose loops run in that order,
// stride 1 innermost; the weight [o, c, kh, kw] is read in place, its digits of k taken
// from the flat k; C's digits of j come from the flat j.
// CHECK-LABEL: func.func @convolution
// CHECK-SAME: (%[[X:.*]]: memref<2x3x9x9xf32>, %[[W:.*]]: memref<4x3x3x3xf32>, %[[C:.*]]: memref<2x4x4x4xf32>)
// CHECK: %[[COLUMNS:.*]] = memref.alloc() : memref<2x3x3x3x4x4xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, ((d4 * 2) + d2), ((d5 * 2) + d3))>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>]{{.*}} ins(%[[X]] : memref<2x3x9x9xf32>) outs(%[[COLUMNS]] : memref<2x3x3x3x4x4xf32>)
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: affine.apply affine_map<(d0) -> ((d0 floordiv 9))> (%[[K]])
// CHECK: vector.maskedload %[[COLUMNS]]
// CHECK: memref.load %[[W]]
// CHECK: affine.apply affine_map<(d0) -> ((d0 floordiv 4))>
// CHECK: affine.apply affine_map<(d0) -> ((d0 mod 4))>
// CHECK: vector.maskedstore %[[C]]
func.func @convolution(%x: memref<2x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %c: memref<2x4x4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<2x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%c : memref<2x4x4x4xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// A 1x1 convolution of stride 1 reads its input in place: the pixels of a channel lie in
// memory as the flat j runs through them, and the window's dimensions of extent 1 index 0.
// CHECK-LABEL: func.func @pointwise
// CHECK-SAME: (%[[X:.*]]: memref<1x6x5x7xf32>
// CHECK-NOT: memref.alloc
// CHECK: vector.maskedload %[[X]]
func.func @pointwise(%x: memref<1x6x5x7xf32>, %w: memref<4x6x1x1xf32>, %c: memref<1x4x5x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x6x5x7xf32>, memref<4x6x1x1xf32>) outs(%c : memref<1x4x5x7xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// A matmul whose C is a buffer of its own, read only by the elementwise generic after it
// (its epilogue: a bias along the columns, a tanh, a residual): the sums go straight to
// the epilogue's output, C and both generics go, and after the last block of k (a loop
// of the tile's rows that runs then only) each vector of the tile is loaded back, the
// epilogue's body applied to it as vector ops, and stored.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: %[[BIAS:[^:]*]]: memref<10xf32>, %[[RESIDUAL:[^:]*]]: memref<5x10xf32>, %[[OUT:[^:]*]]: memref<5x10xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.generic
// CHECK: vector.maskedstore %[[OUT]]
// CHECK: %[[K:.*]] = arith.constant 9 : index
// CHECK-NEXT: %[[LAST:.*]] = arith.cmpi eq, %{{.*}}, %[[K]] : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[APPLIED:.*]] = arith.select %[[LAST]], %[[ROWS]], %{{.*}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[APPLIED]] step %{{.*}} {
// CHECK: scf.for
// CHECK: %[[SUMS:.*]] = vector.maskedload %[[OUT]]
// CHECK: %[[B:.*]] = vector.maskedload %[[BIAS]]
// CHECK-NEXT: %[[R:.*]] = vector.maskedload %[[RESIDUAL]]
// CHECK-NEXT: %[[HALF:.*]] = arith.constant dense<5.000000e-01> : vector<4xf32>
// CHECK-NEXT: %[[T:.*]] = arith.addf %[[SUMS]], %[[B]] : vector<4xf32>
// CHECK-NEXT: %[[G:.*]] = math.tanh %[[T]] : vector<4xf32>
// CHECK-NEXT: %[[H:.*]] = arith.mulf %[[G]], %[[HALF]] : vector<4xf32>
// CHECK-NEXT: %[[U:.*]] = arith.addf %[[H]], %[[R]] : vector<4xf32>
// CHECK-NEXT: vector.maskedstore %[[OUT]][%{{.*}}, %{{.*}}], %{{.*}}, %[[U]]
// CHECK-NOT: linalg.generic
func.func @epilogue(%a: memref<5x9xf32>, %b: memref<9x10xf32>, %bias: memref<10xf32>, %residual: memref<5x10xf32>, %out: memref<5x10xf32>) {
  %c = memref.alloc() : memref<5x10xf32>
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
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c, %bias, %residual : memref<5x10xf32>, memref<10xf32>, memref<5x10xf32>) outs(%out : memref<5x10xf32>) {
  ^bb0(%v: f32, %w: f32, %r: f32, %o: f32):
    %half = arith.constant 5.000000e-01 : f32
    %t = arith.addf %v, %w : f32
    %g = math.tanh %t : f32
    %h = arith.mulf %g, %half : f32
    %u = arith.addf %h, %r : f32
    linalg.yield %u : f32
  }
  func.return
}

// An epilogue that reads an input neither along C's row nor at one element per row (a
// transpose: a stride of 5) stays a generic of its own.
// CHECK-LABEL: func.func @epilogue_strided
// CHECK: memref.alloc() : memref<5x10xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : memref<5x10xf32>, memref<10x5xf32>)
func.func @epilogue_strided(%a: memref<5x9xf32>, %b: memref<9x10xf32>, %t: memref<10x5xf32>, %out: memref<5x10xf32>) {
  %c = memref.alloc() : memref<5x10xf32>
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
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c, %t : memref<5x10xf32>, memref<10x5xf32>) outs(%out : memref<5x10xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %u = arith.addf %v, %w : f32
    linalg.yield %u : f32
  }
  func.return
}
