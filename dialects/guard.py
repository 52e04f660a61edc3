"""`litho_guard`: run-time checks that generated code reports instead of trusting its input.

An index read from data (an embedding id, a gather index) may be out of range. Eager
raises; native code cannot, so `litho_guard.checked_index` records the first bad index
in the call's error slots and carries on with a safe index (0). After the native call
the runtime finds the slot set and raises `IndexOutOfBoundsError` with the op's `where`,
the index, the dim and its size. The interpreter raises at once.

```mlir
%i = litho_guard.checked_index %id {size = 10 : i64, dim = 0 : i64,
                                    where = "aten.embedding.default (node embedding) at m.py:7"}
    : i64
```

With `wrap`, indices from `-size` on count from the end (as Python's), so the range is
`-size .. size - 1` and the result is the wrapped index.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from litho.compiler.errors import IndexOutOfBoundsError
from xdsl.dialects.builtin import (
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls
from xdsl.ir import Attribute, Dialect, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
)


class IndexCheck(IRDLOperation):
    """Base of the ops that check indices into dim `dim` (of `size`) of the op `where`."""

    size = prop_def(IntegerAttr)
    dim = prop_def(IntegerAttr)
    where = prop_def(StringAttr)
    wrap = opt_prop_def(UnitAttr)

    @staticmethod
    def properties_of(size: int, dim: int, where: str, wrap: bool) -> dict[str, Attribute]:
        properties: dict[str, Attribute] = {
            "size": IntegerAttr(size, i64),
            "dim": IntegerAttr(dim, i64),
            "where": StringAttr(where),
        }
        if wrap:
            properties["wrap"] = UnitAttr()
        return properties

    def lowest(self) -> int:
        """The smallest index in range."""
        return -self.size.value.data if self.wrap else 0

    def out_of_bounds(self, value: int) -> IndexOutOfBoundsError:
        """The error a call raises when `value` was given to this check."""
        return self.error_report()(value)

    def error_report(self) -> Callable[[int], IndexOutOfBoundsError]:
        """The error for a bad index, from plain values (it outlives the IR)."""
        return partial(
            out_of_bounds_error, self.where.data, dim=self.dim.value.data,
            size=self.size.value.data,
        )

    def check(self, values: Any) -> Any:
        """`values` wrapped into `0 .. size - 1`; the error of the first bad one raised."""
        size = self.size.value.data
        array = np.asarray(values)
        bad = (array < self.lowest()) | (array >= size)
        if bad.any():
            raise self.out_of_bounds(int(array[bad].flat[0]))
        return np.where(array < 0, array + size, array)[()]


@irdl_op_definition
class CheckedIndexOp(IndexCheck):
    """An integer used as an index into a dim of `size`: in range, or reported."""

    name = "litho_guard.checked_index"

    value = operand_def(IntegerType)
    result = result_def(IndexType)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue, size: int, dim: int, where: str, wrap: bool):
        super().__init__(
            operands=[value],
            result_types=[IndexType()],
            properties=self.properties_of(size, dim, where, wrap),
        )


def out_of_bounds_error(where: str, value: int, dim: int, size: int) -> IndexOutOfBoundsError:
    return IndexOutOfBoundsError(
        f"{where}: index {value} is out of bounds for dimension {dim} with size {size}; "
        "the inputs were not changed"
    )


def error_sites(module: ModuleOp) -> list[CheckedIndexOp]:
    """The run-time checks of `module`, in walk order: a check that fails reports
    `1 + its position` here as its site (native code and the runtime agree on this)."""
    return [op for op in module.walk() if isinstance(op, CheckedIndexOp)]


@register_impls
class GuardFunctions(InterpreterFunctions):
    """The interpreter raises the error that native code reports after the call."""

    @impl(CheckedIndexOp)
    def run_checked_index(self, interpreter: Interpreter, op: CheckedIndexOp, args: tuple):
        return (op.check(args[0]),)


LithoGuard = Dialect("litho_guard", [CheckedIndexOp])
