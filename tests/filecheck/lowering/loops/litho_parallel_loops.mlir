// RUN: litho-opt %s -p litho-parallel-loops | filecheck %s

// Rows written independently: the outer loop runs in parallel.
// CHECK-LABEL: func.func @rows
// CHECK: "scf.parallel"(%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NEXT: ^{{.*}}(%[[I:.*]]: index):
// CHECK-NEXT: scf.for
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %{{.*}}]
func.func @rows(%x: memref<256x256xf32>, %out: memref<256x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  scf.for %i = %c0 to %c256 step %c1 {
    scf.for %j = %c0 to %c256 step %c1 {
      %v = memref.load %x[%i, %j] : memref<256x256xf32>
      %e = math.exp %v : f32
      memref.store %e, %out[%i, %j] : memref<256x256xf32>
    }
  }
  func.return
}

// Every iteration of the outer loop adds into the same row: it stays sequential, and
// so does a nest too small to be worth threads.
// CHECK-LABEL: func.func @column_sums
// CHECK-NOT: scf.parallel
// CHECK: func.return
func.func @column_sums(%x: memref<256x256xf32>, %out: memref<256xf32>, %small: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  scf.for %i = %c0 to %c256 step %c1 {
    scf.for %j = %c0 to %c256 step %c1 {
      %v = memref.load %x[%i, %j] : memref<256x256xf32>
      %s = memref.load %out[%j] : memref<256xf32>
      %t = arith.addf %s, %v : f32
      memref.store %t, %out[%j] : memref<256xf32>
    }
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %small[%i, %j] : memref<4x4xf32>
      %n = arith.negf %v : f32
      memref.store %n, %small[%i, %j] : memref<4x4xf32>
    }
  }
  func.return
}

// A batch of one: the loop inside it runs in parallel.
// CHECK-LABEL: func.func @batch_of_one
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: "scf.parallel"
func.func @batch_of_one(%x: memref<1x512x64xf32>, %out: memref<1x512x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c512 = arith.constant 512 : index
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %i = %c0 to %c512 step %c1 {
      scf.for %j = %c0 to %c64 step %c1 {
        %v = memref.load %x[%b, %i, %j] : memref<1x512x64xf32>
        %n = arith.negf %v : f32
        memref.store %n, %out[%b, %i, %j] : memref<1x512x64xf32>
      }
    }
  }
  func.return
}
