// RUN: litho-opt %s -p convert-litho-tensor-to-linalg,litho-bufferize,convert-linalg-to-loops,lower-affine,litho-memory-plan -t litho-llvm | filecheck %s

// CHECK: define void @"softplus"(float* noalias %{{.*}}, float* noalias %{{.*}}, i8* noalias %"arena", i64* noalias %"errors")
// CHECK: loop.header
// CHECK: call float @"llvm.exp.f32"
// CHECK: call float @"llvm.log.f32"
// CHECK: ret void
func.func @softplus(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = litho_tensor.exp %x : tensor<8xf32>
  %one = litho_tensor.constant dense<1.0> : tensor<f32>
  %s = litho_tensor.add %e, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %l = litho_tensor.log %s : tensor<8xf32>
  func.return %l : tensor<8xf32>
}

// A failed check writes its site (1: the first check) and the index to the error slots.
// CHECK-LABEL: define void @"lookup"
// CHECK: icmp ult i64 %{{.*}}, 5
// CHECK: store i64 1, i64* %{{.*}}
// CHECK: ret void
func.func @lookup(%table: tensor<5x3xf32>, %ids: tensor<4xi64>) -> tensor<4x3xf32> {
  %checked = litho_tensor.check_bounds %ids {size = 5 : i64, dim = 0 : i64, where = "lookup"} : tensor<4xi64> -> tensor<4xi64>
  %rows = litho_tensor.take %table, %checked {dim = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  func.return %rows : tensor<4x3xf32>
}
