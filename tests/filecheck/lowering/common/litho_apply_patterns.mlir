// RUN: litho-opt %s -p 'litho-apply-patterns{names="litho.lowering.graph.litho_canonicalize:AddZeroPattern"}' | filecheck %s
// RUN: not litho-opt %s -p 'litho-apply-patterns{names="no.such.module:Pattern"}' 2>&1 | filecheck %s --check-prefix=MISSING

// Only the named pattern runs: the `x * 1` stays.
// CHECK-LABEL: func.func @only_add_zero
// CHECK-NOT: litho_tensor.add
// CHECK: litho_tensor.mul
func.func @only_add_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = litho_tensor.constant dense<0.000000e+00> : tensor<4xf32>
  %one = litho_tensor.constant dense<1.000000e+00> : tensor<4xf32>
  %a = litho_tensor.add %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m = litho_tensor.mul %a, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %m : tensor<4xf32>
}

// MISSING: litho-apply-patterns: cannot load pattern 'no.such.module:Pattern'
