"""litho-memory-plan: place every intermediate buffer in one arena, reusing dead space.

Input: bufferized functions (L3) whose `memref.alloc`s have static shapes. Output: each
alloc carries `litho.offset`, its byte offset in the function's arena, and each function
carries `litho.arena_size`, the bytes the caller must provide. The IR still runs in the
interpreter unchanged; code generation turns each alloc into arena + offset.

A `func.call` gets `litho.offset` too: the callee's arena starts there, after the
caller's own buffers (so a kernel's buffers never overlap its caller's), and the
caller's arena size counts the largest callee's.

A buffer is live from its alloc to the last top-level op of the function body that
uses it (uses nested inside loops count for the loop). Buffers are placed first-fit, in
order of allocation, beside every buffer whose lifetime overlaps theirs.

```mlir
%t = memref.alloc() : memref<64x64xf32>
// becomes
%t = memref.alloc() {litho.offset = 16384 : i64} : memref<64x64xf32>
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.attributes import ARENA_SIZE_ATTRIBUTE, KERNEL_ATTRIBUTE, OFFSET_ATTRIBUTE
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.context import Context
from xdsl.dialects import func, memref
from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp, i64
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

ALIGNMENT = 64


def buffer_bytes(memref_type: MemRefType) -> int:
    """Bytes a buffer of `memref_type` takes, rounded up to the arena alignment."""
    element_bytes = max(1, memref_type.get_element_type().bitwidth // 8)
    size = memref_type.element_count() * element_bytes
    return -(-size // ALIGNMENT) * ALIGNMENT


@dataclass
class _Interval:
    alloc: memref.AllocOp
    start: int
    end: int
    size: int
    offset: int = 0


def _top_level_user(op: Operation, body_ops: dict[Operation, int]) -> int:
    while op not in body_ops:
        parent = op.parent_op()
        assert parent is not None
        op = parent
    return body_ops[op]


def _lifetimes(function: func.FuncOp) -> list[_Interval]:
    body_ops = {op: index for index, op in enumerate(function.body.block.ops)}
    intervals = []
    for op, index in body_ops.items():
        if not isinstance(op, memref.AllocOp):
            continue
        if not op.memref.type.has_static_shape():
            raise PassFailedException(
                f"litho-memory-plan: memref.alloc of {op.memref.type} in "
                f"@{function.sym_name.data} has a dynamic size; the plan needs static sizes"
            )
        users = [_top_level_user(use.operation, body_ops) for use in op.memref.uses]
        end = max(users, default=index)
        intervals.append(_Interval(op, index, end, buffer_bytes(op.memref.type)))
    return intervals


def plan_function(function: func.FuncOp) -> int:
    """Assign arena offsets to the allocs of `function`; return the arena size."""
    placed: list[_Interval] = []
    arena_size = 0
    for interval in _lifetimes(function):
        overlapping = sorted(
            (other for other in placed if other.end >= interval.start),
            key=lambda other: other.offset,
        )
        offset = 0
        for other in overlapping:
            if offset + interval.size <= other.offset:
                break
            offset = max(offset, other.offset + other.size)
        interval.offset = offset
        placed.append(interval)
        arena_size = max(arena_size, offset + interval.size)
        interval.alloc.attributes[OFFSET_ATTRIBUTE] = IntegerAttr(offset, i64)
    return arena_size


@dataclass(frozen=True)
class LithoMemoryPlanPass(ModulePass):
    """Lay out each function's intermediate buffers in one arena (static memory plan)."""

    name = "litho-memory-plan"
    tolerance: ClassVar[Tolerance] = EXACT

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        sizes: dict[str, int] = {}
        # kernels call nothing, so planning them first gives every callee's size
        for function in sorted(defined_functions(op),
                               key=lambda f: KERNEL_ATTRIBUTE not in f.attributes):
            own = plan_function(function)
            calls = [call for call in function.walk() if isinstance(call, func.CallOp)]
            for call in calls:
                call.attributes[OFFSET_ATTRIBUTE] = IntegerAttr(own, i64)
            callees = max((sizes.get(call.callee.string_value(), 0) for call in calls),
                          default=0)
            sizes[function.sym_name.data] = own + callees
            function.attributes[ARENA_SIZE_ATTRIBUTE] = IntegerAttr(own + callees, i64)
