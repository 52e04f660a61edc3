// RUN: litho-opt %s -p litho-interchange | filecheck %s

// CHECK-LABEL: func.func @max_pool
func.func @max_pool(%x: memref<2x9x9xf32>, %window: memref<3x3xf32>, %out: memref<2x4x4xf32>) {
  // loops (c, oh, ow, kh, kw) become (c, oh, kh, kw, ow): ow, the output's last
  // dimension, innermost; the window's map does not use ow
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, ((d1 * 2) + d2), ((d4 * 2) + d3))>, affine_map<(d0, d1, d2, d3, d4) -> (d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]}
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d2 * 2 + d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %window : memref<2x9x9xf32>, memref<3x3xf32>) outs(%out : memref<2x4x4xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  }
  func.return
}

// CHECK-LABEL: func.func @index_ops_follow_their_loops
func.func @index_ops_follow_their_loops(%x: memref<4x10xf32>, %window: memref<3xf32>, %out: memref<4x8xf32>) {
  // CHECK: iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: %[[OW:.*]] = linalg.index 2 : index
  // CHECK-NEXT: %[[KW:.*]] = linalg.index 1 : index
  // CHECK-NEXT: %[[C:.*]] = linalg.index 0 : index
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1 + d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %window : memref<4x10xf32>, memref<3xf32>) outs(%out : memref<4x8xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %ow = linalg.index 1 : index
    %kw = linalg.index 2 : index
    %c = linalg.index 0 : index
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  func.return
}

// CHECK-LABEL: func.func @kept
func.func @kept(%x: memref<4x8xf32>, %y: memref<8x4xf32>, %z: memref<8xf32>, %sum: memref<4xf32>, %cols: memref<4xf32>, %rows: memref<8xf32>) {
  // a row sum reads stride 1 in its reduction already: kept
  // CHECK: iterator_types = ["parallel", "reduction"]
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<4x8xf32>) outs(%sum : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  // a column sum would leave no parallel loop outside for threads: kept
  // CHECK: iterator_types = ["parallel", "reduction"]
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%y : memref<8x4xf32>) outs(%cols : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  // an elementwise generic has no reduction to move past: kept
  // CHECK: iterator_types = ["parallel"]
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%z : memref<8xf32>) outs(%rows : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  func.return
}
