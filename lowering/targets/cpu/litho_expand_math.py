"""litho-expand-math: fp32 `math.exp`, `math.erf` and `math.tanh` as arithmetic, on
scalars and on vectors (a matmul's epilogue).

The CPU has no vector instruction for these functions, and LLVM turns a vector `llvm.exp`
back into one libm call per element; a loop that calls one is scalar. Written as plain
arithmetic (polynomials, a division, selects and exponent-bit arithmetic), the same loop
vectorizes to the machine's width. Measured against float64 on dense grids of their
ranges (tests/test_expand_math.py): exp within 1 ulp, erf and tanh within 6 ulps (the
float32 evaluation of their rational functions).

- exp: x = n ln2 + r with |r| <= ln2/2; exp(r) = 1 + r + r^2 P(r) (degree 5);
  2^n is built in the exponent bits in two halves, so that results down to the smallest
  subnormal and up to the largest float are right; inf, -inf and NaN are kept.
- erf and tanh: x P(x^2) / Q(x^2) on x clamped to [-4, 4] and [-9, 9], beyond which
  float32 erf and tanh are +-1.

The coefficients were fitted for relative error by iterated weighted least squares
(Sanathanan-Koerner) in float64 against Python's `math` functions, on Chebyshev points.
Multiply-adds carry the `contract` flag, so codegen may fuse them into FMAs. float64 math
is left as it is (it is litho's reference precision).

```mlir
%y = math.exp %x : f32
// becomes about twenty arith ops and a math.floor, ending in
%y = arith.select %nan, %x, %scaled : f32
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    VectorType,
    f32,
    i32,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)

_CONTRACT = arith.FastMathFlagsAttr([arith.FastMathFlag.ALLOW_CONTRACT])

EXP_HIGHEST = 88.7229
"""Just above log(largest float): exp of anything higher overflows to inf."""
EXP_LOWEST = -104.0
"""exp of anything lower rounds to 0, even as a subnormal."""
LN2_HIGH = 0.693359375
"""ln 2 to 10 bits, so that n * LN2_HIGH is exact; LN2_LOW is the rest."""
LN2_LOW = -2.12194440e-4
EXP_POLYNOMIAL = (0.5, 0.1666666716337204, 0.04166646674275398, 0.00833328627049923,
                  0.0013933642767369747, 0.00019907535170204937)
ERF_BOUND = 4.0
ERF_NUMERATOR = (1.128379225730896, 0.18520714342594147, 0.05431646108627319,
                 0.003849642351269722, 0.00037956942105665803, 4.683651695813751e-06,
                 -1.3196769899082028e-08)
ERF_DENOMINATOR = (1.0, 0.4974689781665802, 0.1139591783285141, 0.015462019480764866,
                   0.0013075225288048387, 6.309984746621922e-05)
TANH_BOUND = 9.0
TANH_NUMERATOR = (1.0, 0.1338096708059311, 0.003495515324175358, 2.0607743863365613e-05,
                  1.3352591921034218e-08)
TANH_DENOMINATOR = (1.0, 0.46714285016059875, 0.025876715779304504,
                    0.00032855093013495207, 7.775754511385458e-07)


@dataclass
class _Emitter:
    """Inserts ops before the op being expanded and gives their results: on scalars, or on
    vectors of `lanes` (a matmul's epilogue applied to its tiles)."""

    rewriter: PatternRewriter
    lanes: tuple[int, ...] = ()

    def emit(self, op: Operation) -> SSAValue:
        self.rewriter.insert(op)
        return op.results[0]

    def typed(self, element: Attribute) -> Attribute:
        """`element`, or a vector of it."""
        return VectorType(element, self.lanes) if self.lanes else element

    def constant(self, value: float | int, element: Attribute) -> SSAValue:
        if not self.lanes:
            attribute = FloatAttr(value, f32) if element == f32 else IntegerAttr(value, i32)
            return self.emit(arith.ConstantOp(attribute))
        vector_type = self.typed(element)
        splat = DenseIntOrFPElementsAttr.from_list(vector_type, [value])
        return self.emit(arith.ConstantOp(splat, vector_type))

    def float(self, value: float) -> SSAValue:
        return self.constant(value, f32)

    def int(self, value: int) -> SSAValue:
        return self.constant(value, i32)

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(arith.AddfOp(a, b, flags=_CONTRACT))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(arith.MulfOp(a, b, flags=_CONTRACT))

    def multiply_add(self, a: SSAValue, b: SSAValue, c: SSAValue) -> SSAValue:
        return self.add(self.mul(a, b), c)

    def polynomial(self, x: SSAValue, coefficients: Sequence[float]) -> SSAValue:
        """sum of coefficients[i] * x**i, by Horner's rule."""
        value = self.float(coefficients[-1])
        for coefficient in reversed(coefficients[:-1]):
            value = self.multiply_add(value, x, self.float(coefficient))
        return value

    def where(self, predicate: str, a: SSAValue, b: SSAValue, then: SSAValue,
              otherwise: SSAValue) -> SSAValue:
        condition = self.emit(arith.CmpfOp(a, b, predicate))
        return self.emit(arith.SelectOp(condition, then, otherwise))

    def clamp(self, x: SSAValue, bound: float) -> SSAValue:
        """x limited to [-bound, bound]; NaN stays NaN."""
        high, low = self.float(bound), self.float(-bound)
        return self.where("olt", x, low, low, self.where("ogt", x, high, high, x))

    def power_of_two(self, exponent: SSAValue) -> SSAValue:
        """2**exponent for an i32 exponent in [-126, 127], as float bits."""
        biased = self.emit(arith.AddiOp(exponent, self.int(127)))
        bits = self.emit(arith.ShLIOp(biased, self.int(23)))
        return self.emit(arith.BitcastOp(bits, self.typed(f32)))


def expand_exp(emit: _Emitter, x: SSAValue) -> SSAValue:
    # NaN goes to the upper bound here (an unordered compare), so the integer ops below
    # see a number; the last select puts the NaN back.
    highest, lowest = emit.float(EXP_HIGHEST), emit.float(EXP_LOWEST)
    clamped = emit.where("ugt", x, highest, highest, x)
    clamped = emit.where("olt", clamped, lowest, lowest, clamped)
    n = emit.emit(math.FloorOp(emit.multiply_add(clamped, emit.float(1.4426950408889634),
                                                 emit.float(0.5))))
    r = emit.multiply_add(n, emit.float(-LN2_HIGH), clamped)
    r = emit.multiply_add(n, emit.float(-LN2_LOW), r)
    p = emit.add(emit.multiply_add(emit.mul(r, r), emit.polynomial(r, EXP_POLYNOMIAL), r),
                 emit.float(1.0))
    whole = emit.emit(arith.FPToSIOp(n, emit.typed(i32)))
    half = emit.emit(arith.ShRSIOp(whole, emit.int(1)))
    rest = emit.emit(arith.SubiOp(whole, half))
    scaled = emit.mul(emit.mul(p, emit.power_of_two(half)), emit.power_of_two(rest))
    return emit.where("uno", x, x, x, scaled)


def _odd_rational(emit: _Emitter, x: SSAValue, bound: float, numerator: Sequence[float],
                  denominator: Sequence[float]) -> SSAValue:
    """x P(x^2) / Q(x^2) for x clamped to [-bound, bound]."""
    clamped = emit.clamp(x, bound)
    square = emit.mul(clamped, clamped)
    top = emit.mul(clamped, emit.polynomial(square, numerator))
    return emit.emit(arith.DivfOp(top, emit.polynomial(square, denominator)))


def expand_erf(emit: _Emitter, x: SSAValue) -> SSAValue:
    return _odd_rational(emit, x, ERF_BOUND, ERF_NUMERATOR, ERF_DENOMINATOR)


def expand_tanh(emit: _Emitter, x: SSAValue) -> SSAValue:
    return _odd_rational(emit, x, TANH_BOUND, TANH_NUMERATOR, TANH_DENOMINATOR)


_EXPANSIONS = {math.ExpOp: expand_exp, math.ErfOp: expand_erf, math.TanhOp: expand_tanh}


class ExpandMathPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: math.ExpOp | math.ErfOp | math.TanhOp,
                          rewriter: PatternRewriter):
        value_type = op.result.type
        lanes = tuple(value_type.get_shape()) if isinstance(value_type, VectorType) else ()
        element = value_type.get_element_type() if lanes else value_type
        if not isinstance(element, Float32Type):
            return
        value = _EXPANSIONS[type(op)](_Emitter(rewriter, lanes), op.operand)
        rewriter.replace(op, [], [value])


@dataclass(frozen=True)
class LithoExpandMathPass(PatternPass):
    """Write fp32 exp, erf and tanh as arithmetic that vectorizes."""

    name = "litho-expand-math"
    tolerance: ClassVar[Tolerance] = REASSOCIATE

    def patterns(self) -> list[RewritePattern]:
        return [ExpandMathPattern()]
