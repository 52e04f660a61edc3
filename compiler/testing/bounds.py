"""Intervals that hold every value a generated tensor can take, op by op.

The program generator keeps a `Bounds` per value: it keeps `log`, `sqrt` and `rsqrt` on
positive operands, `div` on positive divisors, values under `VALUE_LIMIT`, and `cmp` and
float-to-int casts on values computed exactly (multiples of 2**-fraction_bits small enough
for the mantissa), where two correct implementations cannot round differently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

VALUE_LIMIT = 1e6
INPUT_GRID = 4  # float inputs are multiples of 1/4
MANTISSA_BITS = {"f32": 24, "f64": 53}


@dataclass(frozen=True)
class Bounds:
    """Every value of a tensor lies in `[low, high]`; `fraction_bits` is set when the
    values are exact multiples of 2**-fraction_bits (so computed without rounding)."""

    low: float
    high: float
    fraction_bits: int | None = None

    @property
    def magnitude(self) -> float:
        return max(abs(self.low), abs(self.high))

    def is_exact_in(self, dtype: str) -> bool:
        if dtype not in MANTISSA_BITS:
            return True
        if self.fraction_bits is None:
            return False
        return self.magnitude * 2.0**self.fraction_bits < 2.0 ** MANTISSA_BITS[dtype]


def hull(values: Sequence[float], fraction_bits: int | None) -> Bounds:
    return Bounds(min(values), max(values), fraction_bits)


def max_bits(*bounds: Bounds) -> int | None:
    bits = [bound.fraction_bits for bound in bounds]
    return None if None in bits else max(bits)  # type: ignore[type-var]


def sum_bits(*bounds: Bounds) -> int | None:
    bits = [bound.fraction_bits for bound in bounds]
    return None if None in bits else sum(bits)  # type: ignore[arg-type]


def _corners(a: Bounds, b: Bounds, operation: Callable[[float, float], float]) -> list[float]:
    return [operation(x, y) for x in (a.low, a.high) for y in (b.low, b.high)]


def binary_bounds(op: str, a: Bounds, b: Bounds) -> Bounds:
    match op:
        case "add":
            return Bounds(a.low + b.low, a.high + b.high, max_bits(a, b))
        case "sub":
            return Bounds(a.low - b.high, a.high - b.low, max_bits(a, b))
        case "mul":
            return hull(_corners(a, b, lambda x, y: x * y), sum_bits(a, b))
        case "div":
            return hull(_corners(a, b, lambda x, y: x / y), None)
        case "max":
            return Bounds(max(a.low, b.low), max(a.high, b.high), max_bits(a, b))
        case "min":
            return Bounds(min(a.low, b.low), min(a.high, b.high), max_bits(a, b))
        case "pow":  # of a positive base: monotone in each operand
            return hull(_corners(a, b, _power), None)
    return _bitwise_bounds(a, b)


def _power(base: float, exponent: float) -> float:
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return math.inf


def _bitwise_bounds(a: Bounds, b: Bounds) -> Bounds:
    """and, or, xor of integers: no more bits than the wider operand, signed if either is."""
    bits = int(max(a.magnitude, b.magnitude)).bit_length()
    low = 0 if min(a.low, b.low) >= 0 else -(2**bits)
    return Bounds(low, 2**bits - 1, 0)


def monotone(function: Callable[[float], float]) -> Callable[[Bounds], Bounds]:
    return lambda a: Bounds(function(a.low), function(a.high))


def gelu_bounds(a: Bounds) -> Bounds:
    return Bounds(-0.2, max(a.high, 0.0))
UNIT = Bounds(0.0, 1.0, 0)
