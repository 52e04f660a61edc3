// RUN: litho-opt %s -p litho-expand-math | filecheck %s
// The output parses back as it is printed (vector compares and selects included):
// RUN: litho-opt %s -p litho-expand-math | litho-opt | filecheck %s

// fp32 exp: clamped (NaN sent to the upper bound by an unordered compare), split as
// n ln2 + r, a polynomial in r, 2^n built in two halves of exponent bits, NaN put back.
// CHECK-LABEL: func.func @exp
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[HIGH:.*]] = arith.cmpf ugt, %[[X]]
// CHECK: arith.cmpf olt
// CHECK: %[[N:.*]] = math.floor
// CHECK: arith.mulf %[[N]], %{{.*}} fastmath<contract> : f32
// CHECK: %[[WHOLE:.*]] = arith.fptosi %[[N]] : f32 to i32
// CHECK: arith.shrsi %[[WHOLE]]
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.select %[[NAN]], %[[X]], %{{.*}} : f32
// CHECK-NEXT: func.return %[[Y]] : f32
// CHECK-NOT: math.exp
func.func @exp(%x: f32) -> f32 {
  %y = math.exp %x : f32
  func.return %y : f32
}

// erf and tanh: an odd rational function of the clamped argument.
// CHECK-LABEL: func.func @erf_tanh
// CHECK-NOT: math.erf
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: arith.divf
// CHECK-NOT: math.tanh
// CHECK: arith.divf
// CHECK: func.return
func.func @erf_tanh(%x: f32) -> (f32, f32) {
  %e = math.erf %x : f32
  %t = math.tanh %x : f32
  func.return %e, %t : f32, f32
}

// float64 is litho's reference precision: its math stays as it is.
// CHECK-LABEL: func.func @double
// CHECK-NEXT: math.exp %{{.*}} : f64
// CHECK-NEXT: math.erf %{{.*}} : f64
func.func @double(%x: f64) -> (f64, f64) {
  %e = math.exp %x : f64
  %r = math.erf %x : f64
  func.return %e, %r : f64, f64
}

// On vectors of f32 (a matmul's epilogue), the same arithmetic lane by lane: splat
// constants, compares giving vectors of i1, the exponent bits in vectors of i32.
// CHECK-LABEL: func.func @vectors
// CHECK-SAME: (%[[X:.*]]: vector<4xf32>)
// CHECK: arith.constant dense<8.872290e+01> : vector<4xf32>
// CHECK: arith.cmpf ugt, %[[X]], %{{.*}} : vector<4xf32>
// CHECK: arith.fptosi %{{.*}} : vector<4xf32> to vector<4xi32>
// CHECK: arith.bitcast %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK: arith.select %{{.*}}, %[[X]], %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
func.func @vectors(%x: vector<4xf32>) -> (vector<4xf32>, vector<4xf32>) {
  %y = math.exp %x : vector<4xf32>
  %z = math.tanh %x : vector<4xf32>
  func.return %y, %z : vector<4xf32>, vector<4xf32>
}
