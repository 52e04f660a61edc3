// RUN: litho-opt %s -p litho-memory-plan | filecheck %s

// Buffers %a and %b overlap in time; %c starts after %a's last use and reuses its space.
// CHECK-LABEL: func.func @plan
// CHECK-SAME: litho.arena_size = 128 : i64
func.func @plan(%out: memref<16xf32>) {
  // CHECK: memref.alloc() {litho.offset = 0 : i64} : memref<16xf32>
  %a = memref.alloc() : memref<16xf32>
  // CHECK: memref.alloc() {litho.offset = 64 : i64} : memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  "test.op"(%a, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  // CHECK: memref.alloc() {litho.offset = 0 : i64} : memref<16xf32>
  %c = memref.alloc() : memref<16xf32>
  "test.op"(%b, %c, %out) : (memref<16xf32>, memref<16xf32>, memref<16xf32>) -> ()
  func.return
}
