// RUN: litho-opt %s -p litho-fuse-loops | filecheck %s

// A row sum and the division by it (a softmax's last steps): the row loops fuse, and
// inside them the fill and the sum fuse (one iteration), but the division does not join
// the sum's loop over columns: each column reads the sum of all of them.
// CHECK-LABEL: func.func @normalize
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: memref.store %{{.*}}, %[[S:.*]][%[[I]]] : memref<8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.store %{{.*}}, %[[S]][%[[I]]] : memref<8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.load %[[S]][%[[I]]] : memref<8xf32>
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]] : memref<8x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: func.return
func.func @normalize(%x: memref<8x16xf32>, %out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %s = memref.alloc() : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %k = %c0 to %c1 step %c1 {
      memref.store %zero, %s[%i] : memref<8xf32>
    }
  }
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %x[%i, %j] : memref<8x16xf32>
      %a = memref.load %s[%i] : memref<8xf32>
      %t = arith.addf %a, %v : f32
      memref.store %t, %s[%i] : memref<8xf32>
    }
  }
  %c16b = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16b step %c1 {
      %v = memref.load %x[%i, %j] : memref<8x16xf32>
      %a = memref.load %s[%i] : memref<8xf32>
      %q = arith.divf %v, %a : f32
      memref.store %q, %out[%i, %j] : memref<8x16xf32>
    }
  }
  func.return
}

// A total (every iteration adds into one element) is complete only after its loop: the
// loop that reads it stays apart, and so do loops over another range, and loops with
// anything but constants and allocations between them.
// CHECK-LABEL: func.func @apart
// CHECK-COUNT-4: scf.for
// CHECK-NOT: scf.for
func.func @apart(%x: memref<8xf32>, %out: memref<8xf32>, %other: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %total = memref.alloc() : memref<1xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %a = memref.load %total[%c0] : memref<1xf32>
    %t = arith.addf %a, %v : f32
    memref.store %t, %total[%c0] : memref<1xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %a = memref.load %total[%c0] : memref<1xf32>
    %q = arith.divf %v, %a : f32
    memref.store %q, %out[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %other[%i] : memref<4xf32>
  }
  %v = memref.load %x[%c0] : memref<8xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %v, %other[%i] : memref<4xf32>
  }
  func.return
}
