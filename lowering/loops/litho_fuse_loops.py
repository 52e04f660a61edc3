"""litho-fuse-loops: consecutive loops over the same range become one loop, where they may.

Input: L3 loops (`scf.for` over memrefs, after convert-linalg-to-loops and lower-affine).
Output: the same, with each run of consecutive loops of one range (constant bounds and
step) fused into the first of them, then the loops inside fused again. A kernel that
litho-outline-kernels made of several generics on the same rows (a softmax: its max,
exp, sum and division) becomes one loop over rows holding a short inner loop per step,
so each row is still in cache when the next step reads it; inner loops of one range (the
exp and the sum over a row) fuse too.

Fusion moves the second loop's iteration i to run right after the first loop's
iteration i, which is exact when iteration i of either touches no element that another
iteration of the other touches: every buffer that either loop writes and both access is
indexed, in both, by the loop's induction variable at the same position (distinct
buffers do not overlap). A loop that runs once fuses with any of its range. Loops that
carry values, check indices (the first bad index must be the one reported) or call
functions are left alone, and so are loops with anything but constants and allocations
between them (those move before the fused loop).

```mlir
scf.for %i = %c0 to %c8 step %c1 { memref.store %x, %a[%i] }
scf.for %j = %c0 to %c8 step %c1 { %v = memref.load %a[%j] ... memref.store %w, %b[%j] }
// becomes
scf.for %i = %c0 to %c8 step %c1 {
  memref.store %x, %a[%i]
  %v = memref.load %a[%i] ... memref.store %w, %b[%i]
}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.guard import CheckedIndexOp
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import EXACT, Tolerance
from litho.lowering.loops.litho_parallel_loops import (
    constant_index,
    induction_positions,
    one_row_per_iteration,
    trip_count,
)
from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

_MOVABLE = (arith.ConstantOp, memref.AllocOp)
"""Ops that may stand between two loops that fuse: they move before the fused loop."""


def _same_range(first: scf.ForOp, second: scf.ForOp) -> bool:
    bounds = [(constant_index(a), constant_index(b)) for a, b in
              ((first.lb, second.lb), (first.ub, second.ub), (first.step, second.step))]
    return all(a is not None and a == b for a, b in bounds)


def _buffers(loop: scf.ForOp) -> tuple[set[SSAValue], set[SSAValue]]:
    """The buffers `loop` accesses, and those it writes."""
    accessed, written = set(), set()
    for op in loop.walk():
        if isinstance(op, memref.LoadOp | memref.StoreOp):
            accessed.add(op.memref)
            if isinstance(op, memref.StoreOp):
                written.add(op.memref)
    return accessed, written


def fusion_refusal(first: scf.ForOp, second: scf.ForOp) -> str | None:
    """Why `second` may not fuse into `first` (the loop right before it), or None."""
    if not _same_range(first, second):
        return "their ranges differ or are not constants"
    for loop in (first, second):
        if loop.iter_args:
            return "a loop carries values from one iteration to the next"
        if any(isinstance(op, CheckedIndexOp | func.CallOp) for op in loop.walk()):
            return "a loop checks indices or calls a function"
    if trip_count(first) == 1:
        return None
    (accessed_first, written_first), (accessed_second, written_second) = (
        _buffers(first), _buffers(second))
    for buffer in (written_first | written_second) & accessed_first & accessed_second:
        positions = induction_positions(first, buffer) | induction_positions(second, buffer)
        if not one_row_per_iteration(positions):
            return "an iteration of one reads or writes elements of another's iterations"
    return None


def fuse(first: scf.ForOp, second: scf.ForOp) -> None:
    """Run `second`'s body at the end of `first`'s and erase `second`; the ops between
    them move before `first`."""
    between = []
    op = first.next_op
    while op is not second:
        between.append(op)
        op = op.next_op
    for op in between:
        op.detach()
        Rewriter.insert_op(op, InsertPoint.before(first))
    second.body.block.args[0].replace_all_uses_with(first.body.block.args[0])
    end = first.body.block.last_op
    for op in list(second.body.block.ops)[:-1]:
        op.detach()
        Rewriter.insert_op(op, InsertPoint.before(end))
    Rewriter.erase_op(second)


def _next_loop(loop: scf.ForOp) -> scf.ForOp | None:
    """The loop after `loop` with only movable ops between them, if any."""
    op = loop.next_op
    while isinstance(op, _MOVABLE):
        op = op.next_op
    return op if isinstance(op, scf.ForOp) else None


def fuse_loops_in(block: Block) -> None:
    """Fuse each run of fusable loops of `block`, then the loops inside them."""
    loops: list[Operation] = [op for op in block.ops if isinstance(op, scf.ForOp)]
    for loop in loops:
        if loop.parent is None:  # fused into the one before
            continue
        while (following := _next_loop(loop)) is not None and (
                fusion_refusal(loop, following) is None):
            fuse(loop, following)
        fuse_loops_in(loop.body.block)


@dataclass(frozen=True)
class LithoFuseLoopsPass(ModulePass):
    """Fuse consecutive loops over the same range whose iterations are independent."""

    name = "litho-fuse-loops"
    tolerance: ClassVar[Tolerance] = EXACT

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in defined_functions(op):
            fuse_loops_in(function.body.block)
