"""litho-parallel-loops: each loop nest's outer loop runs across cores, where it may.

Input: L3 loops (`scf.for` over memrefs, after convert-linalg-to-loops and lower-affine).
Output: the same, with the outermost loop of each top-level loop nest that is safe and
worth it made an `scf.parallel`, which codegen runs on every core through OpenMP (a
nest whose outer loop runs once, such as a batch of 1, gives the choice to its one inner
loop).

A loop is parallel when its iterations touch disjoint memory: every buffer written in
it is read and written only at indices whose same position is the loop's induction
variable (distinct buffers do not overlap: they are distinct arguments or planned
allocations). A loop that carries values, or holds a run-time index check (the first
bad index must be the one reported), stays sequential. A nest with less than
`min_work` scalar ops in all (`MIN_PARALLEL_WORK` unless the pass is given
`{min_work=N}`) stays sequential too: starting threads costs microseconds. Each
iteration computes what it computed before, so the pass is exact.

```mlir
scf.for %i = %c0 to %c64 step %c1 { ... memref.store %v, %out[%i, %j] ... }
// becomes
scf.parallel (%i) = (%c0) to (%c64) step (%c1) { ... memref.store %v, %out[%i, %j] ... }
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.guard import CheckedIndexOp
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

MIN_PARALLEL_WORK = 1 << 15
"""Scalar ops a loop nest must run, in all, to be worth running on several threads."""


def constant_index(value: SSAValue) -> int | None:
    if isinstance(value.owner, arith.ConstantOp) and isinstance(value.owner.value, IntegerAttr):
        return value.owner.value.value.data
    return None


def trip_count(loop: scf.ForOp) -> int | None:
    bounds = [constant_index(value) for value in (loop.lb, loop.ub, loop.step)]
    if None in bounds:
        return None
    lower, upper, step = bounds
    return max(0, -(-(upper - lower) // step))


def work(loop: scf.ForOp) -> int:
    """Scalar ops the loop runs (loops of unknown trip count count as large)."""
    body = sum(work(op) if isinstance(op, scf.ForOp) else 1 for op in loop.body.block.ops)
    trips = trip_count(loop)
    return body * (trips if trips is not None else MIN_PARALLEL_WORK)


def sequential_reason(loop: scf.ForOp) -> str | None:
    """Why `loop`'s iterations may not run at once, or None if they may."""
    if loop.iter_args:
        return "it carries values from one iteration to the next"
    inner = list(loop.walk())
    if any(isinstance(op, CheckedIndexOp | func.CallOp) for op in inner):
        return "it checks indices (the first bad one must be reported) or calls a function"
    written = {op.memref for op in inner if isinstance(op, memref.StoreOp)}
    for buffer in written:
        if not one_row_per_iteration(induction_positions(loop, buffer)):
            return "its iterations read or write the same elements of a buffer"
    return None


def induction_positions(loop: scf.ForOp, buffer: SSAValue) -> set[tuple[int, ...]]:
    """For each load and store of `buffer` in `loop`, the index positions that are the
    loop's induction variable."""
    induction = loop.body.block.args[0]
    return {tuple(position for position, index in enumerate(op.indices) if index == induction)
            for op in loop.walk()
            if isinstance(op, memref.LoadOp | memref.StoreOp) and op.memref == buffer}


def one_row_per_iteration(positions: set[tuple[int, ...]]) -> bool:
    """Whether accesses with these induction positions touch, in each iteration, only
    elements no other iteration touches: all index one same position by the variable."""
    return len(positions) == 1 and () not in positions


def _parallel_candidate(loop: scf.ForOp) -> scf.ForOp | None:
    """The loop of this nest to run in parallel: the outermost that runs more than once."""
    while trip_count(loop) == 1:
        inner = [op for op in loop.body.block.ops if isinstance(op, scf.ForOp)]
        others = [op for op in loop.body.block.ops
                  if not isinstance(op, scf.ForOp | scf.YieldOp | arith.ConstantOp)]
        if len(inner) != 1 or others:
            return None
        loop = inner[0]
    return loop


def parallelize(loop: scf.ForOp) -> scf.ParallelOp:
    """Replace `loop` by an scf.parallel with the same bounds and body."""
    body = Rewriter.move_region_contents_to_new_regions(loop.body)
    block = body.block
    yield_op = block.last_op
    assert isinstance(yield_op, scf.YieldOp)
    Rewriter.replace_op(yield_op, scf.ReduceOp())
    parallel = scf.ParallelOp([loop.lb], [loop.ub], [loop.step], body)
    Rewriter.replace_op(loop, parallel)
    return parallel


@dataclass(frozen=True)
class LithoParallelLoopsPass(ModulePass):
    """Make the outer loop of each large, independent loop nest an scf.parallel."""

    name = "litho-parallel-loops"
    tolerance: ClassVar[Tolerance] = EXACT
    min_work: int = MIN_PARALLEL_WORK

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in defined_functions(op):
            for nest in [inner for inner in function.body.block.ops
                         if isinstance(inner, scf.ForOp)]:
                if work(nest) < self.min_work:
                    continue
                loop = _parallel_candidate(nest)
                if loop is not None and sequential_reason(loop) is None:
                    parallelize(loop)

