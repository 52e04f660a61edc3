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
    return Bounds(min(a.low, b.low), min(a.high, b.high), max_bits(a, b))


def _monotone(function: Callable[[float], float]) -> Callable[[Bounds], Bounds]:
    return lambda a: Bounds(function(a.low), function(a.high))


UNARY_BOUNDS: dict[str, Callable[[Bounds], Bounds]] = {
    "neg": lambda a: Bounds(-a.high, -a.low, a.fraction_bits),
    "exp": _monotone(math.exp),
    "log": _monotone(math.log),
    "tanh": _monotone(math.tanh),
    "sqrt": _monotone(math.sqrt),
    "rsqrt": lambda a: Bounds(1 / math.sqrt(a.high), 1 / math.sqrt(a.low)),
    "erf": _monotone(math.erf),
    "sigmoid": lambda a: Bounds(0.0, 1.0),
    "relu": lambda a: Bounds(max(a.low, 0.0), max(a.high, 0.0), a.fraction_bits),
    "gelu": lambda a: Bounds(-0.2, max(a.high, 0.0)),
    "abs": lambda a: Bounds(max(a.low, -a.high, 0.0), a.magnitude, a.fraction_bits),
    "reciprocal": lambda a: Bounds(1 / a.high, 1 / a.low),  # positive inputs only
}
UNIT = Bounds(0.0, 1.0, 0)
