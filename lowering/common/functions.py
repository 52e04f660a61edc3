"""A module's defined functions, and the values a piece of IR uses from around it."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue


def defined_functions(module: ModuleOp) -> list[func.FuncOp]:
    """The `func.func`s of `module` that have a body, in order (a list: passes that add
    functions while they walk see only the ones that were there)."""
    return [op for op in module.ops if isinstance(op, func.FuncOp) and not op.is_declaration]


def captured_values(ops: Sequence[Operation]) -> list[SSAValue]:
    """Values that `ops` (and the ops nested in them) use but do not define, in first-use
    order: what outlining them into a function must pass in."""
    inner = [nested for op in ops for nested in op.walk()]
    defined = {result for op in inner for result in op.results}
    defined |= {arg for op in inner for region in op.regions for block in region.blocks
                for arg in block.args}
    return list(dict.fromkeys(operand for op in inner for operand in op.operands
                              if operand not in defined))
