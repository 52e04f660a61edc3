// RUN: sed -n "s/.*expected-error @+1 {{\(.*\)}}$/CHECK: \1/p" %s > %t
// RUN: litho-opt %s --split-input-file --verify-diagnostics -p litho-memory-plan | filecheck %t

// What litho-memory-plan refuses (its precondition: static buffer sizes, as litho-bufferize
// makes them). The first RUN line turns every expected-error message into a CHECK line.

func.func @dynamic(%n: index, %out: memref<4xf32>) attributes {litho.outputs = 1 : i64} {
  // expected-error @+1 {{litho-memory-plan: memref.alloc of memref<?xf32> in @dynamic has a dynamic size; the plan needs static sizes}}
  %0 = memref.alloc(%n) : memref<?xf32>
  func.return
}
