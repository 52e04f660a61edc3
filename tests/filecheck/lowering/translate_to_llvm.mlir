// RUN: litho-opt %s -p convert-litho-tensor-to-linalg,litho-bufferize,convert-linalg-to-loops,lower-affine,litho-memory-plan -t litho-llvm | filecheck %s

// CHECK: define void @"softplus"(float* noalias %{{.*}}, float* noalias %{{.*}}, i8* noalias %"arena")
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
