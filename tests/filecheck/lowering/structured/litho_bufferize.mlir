// RUN: litho-opt %s -p litho-bufferize | filecheck %s

// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>) attributes {litho.outputs = 1 : i64} {
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NOT: memref.alloc
  // CHECK: linalg.generic
  // CHECK-SAME: outs(%[[OUT]] : memref<4xf32>)
  // CHECK: func.return
  // CHECK-NOT: tensor
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>) attributes {litho.outputs = 1 : i64} {
func.func @identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  // A returned argument is copied into the result buffer.
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[IN]] : memref<4xf32>) outs(%[[OUT]] : memref<4xf32>)
  func.return %x : tensor<4xf32>
}
