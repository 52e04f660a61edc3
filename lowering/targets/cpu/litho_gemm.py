"""litho-gemm: an fp32 matmul as cache-blocked loops around a register-tiled FMA microkernel.

Input: L3 buffers before convert-linalg-to-loops. A `linalg.generic` on memrefs is a
matmul when its body is `c + a * b` on f32 (a and b may be computed from the inputs: a
prologue that elementwise fusion put there), its reductions k are indexed by A and B, a
parallel dimension i is indexed by A and C and not B, C's last dimensions j are indexed
by B and not A, and any other dimensions are a batch that C indexes and A and B index
alike or not at all. Several dimensions of j (a convolution's output pixels) or of k (its
channels and window) run as one flat j or k, whose digits are the original indices. A
factor the microkernel cannot read as it is (computed by a prologue, read through a
reshape's map or a convolution's window, a B whose j is not laid out as the flat j runs)
is first computed into a buffer laid out [batch, i, k...] or [batch, k..., j...].

Output: loops in the order of BLIS (Van Zee and van de Geijn, 2015), each block sized for
one cache level by `GemmTiles`, around a microkernel that keeps an MR x NR tile of C in
vector registers:

    for b in batch:
      scf.parallel over threads                  a block of columns (or rows) each
       for jc in [0, N) step NC                  a block of B's columns
        for pc in [0, K) step KC                 a KC x NC block of B (L2)
          for ic in [0, M) step MC               an MC x KC block of A (L2)
            for jr in [jc, jc + NC) step NR      a KC x NR panel of B (L1), reused by ...
              for ir in [ic, ic + MC) step MR    ... every MR x KC panel of A
                acc = 0                          MR x NR/W vectors of W lanes
                for k in [pc, pc + KC):          one rank-1 update per step:
                  acc += broadcast(A[ir + r, k]) * B[k, jr:jr+NR]
                C[ir:ir+MR, jr:jr+NR] += acc

Loads and stores of C and B are masked, so any M, N and K work with one microkernel: the
rows of a tile past M read a valid row and store nothing, the lanes past N load zeros and
store nothing. A vector's lanes are consecutive elements of the row-major buffer, so along
a flat j of several dimensions they run on into C's next row. A zero fill of C just before
the matmul is dropped: the first K block adds its sums to nothing instead of loading C.
Each block of k sums its KC products in order of k, one fused multiply-add at a time,
from zero, and then adds that sum to C (blocked summation, as BLIS's kernels do: the
rounding error grows with KC, not with K; summed in one run of k, a 2048-long row was 3x
further from float64 than eager's). This is the `contract` and reassociation freedom
the matmul carries.

When C is a buffer of the matmul's own that only the elementwise generic after it reads
(its epilogue: a bias, an activation, a residual; see epilogues.py), the sums go straight
to the epilogue's output, and after the last block of k a loop over the tile's vectors
loads each back (from L1), applies the epilogue's body as vector ops and stores it; C
and the epilogue's loops go.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import ClassVar

from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from litho.lowering.loops.litho_parallel_loops import MIN_PARALLEL_WORK
from litho.lowering.targets.cpu.builders import (
    index_add,
    index_constant,
    index_min,
    loop,
    splat_vector,
    true,
)
from litho.lowering.targets.cpu.epilogues import Epilogue, epilogue_of
from litho.lowering.targets.cpu.gemm_tiles import GemmShape, GemmTiles, TuningCache
from litho.lowering.targets.cpu.matmuls import Matmul, prepare_matmul
from xdsl.builder import ImplicitBuilder
from xdsl.context import Context
from xdsl.dialects import arith, memref, scf, vector
from xdsl.dialects.builtin import (
    IndexType,
    ModuleOp,
    VectorType,
    f32,
    i1,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


class _GemmEmitter:
    """Builds the loops of one matmul (see the module's docstring) at the current
    ImplicitBuilder."""

    def __init__(self, matmul: Matmul, tiles: GemmTiles, zero_init: bool, threads: int,
                 epilogue: Epilogue | None):
        if epilogue is not None:  # the sums go straight to the epilogue's output
            matmul = replace(matmul, c=epilogue.output, maps=(*matmul.maps[:2], epilogue.at))
        self.matmul, self.tiles, self.zero_init, self.threads = matmul, tiles, zero_init, threads
        self.epilogue = epilogue
        self.vector_type = VectorType(f32, [tiles.width])
        self.mask_type = VectorType(i1, [tiles.width])

    def emit(self) -> None:
        self.batch_loops({})

    def batch_loops(self, values: dict[int, SSAValue]) -> None:
        """A loop over each batch dimension, outermost first; `values` has the outer ones."""
        if len(values) == len(self.matmul.batch):
            self.thread_blocks(values)
            return
        dim = len(values)
        loop(index_constant(0), index_constant(self.matmul.batch[dim]), 1,
              lambda b: self.batch_loops({**values, dim: b}))

    def thread_blocks(self, values: dict[int, SSAValue]) -> None:
        """One block of columns per thread (of rows where there are fewer panels of columns
        than threads), each running the cache-blocked loops."""
        t, m = self.tiles, self.matmul
        zero = index_constant(0)
        everything = ((zero, index_constant(m.m)), (zero, index_constant(m.n)))
        if self.threads < 2:
            self.cache_blocks(values, *everything)
            return
        by_rows = -(-m.n // t.columns) < self.threads and m.m > t.rows
        extent, unit = (m.m, t.rows) if by_rows else (m.n, t.columns)
        size = _round_up(_round_up(extent, self.threads) // self.threads, unit)

        def thread_block(start: SSAValue) -> None:
            end = index_min(index_add(start, index_constant(size)), index_constant(extent))
            block = (start, end)
            rows, columns = (block, everything[1]) if by_rows else (everything[0], block)
            self.cache_blocks(values, rows, columns)

        loop(index_constant(0), index_constant(extent), size, thread_block, parallel=True)

    def cache_blocks(self, values: dict[int, SSAValue], rows: tuple[SSAValue, SSAValue],
                     columns: tuple[SSAValue, SSAValue]) -> None:
        """The loops of BLIS over rows [rows) and columns [columns) of C."""
        t, m = self.tiles, self.matmul
        k = index_constant(m.k)

        def column_block(jc: SSAValue) -> None:
            jc_end = index_min(index_add(jc, index_constant(t.column_block)), columns[1])

            def depth_block(pc: SSAValue) -> None:
                pc_end = index_min(index_add(pc, index_constant(t.depth)), k)

                def row_block(ic: SSAValue) -> None:
                    ic_end = index_min(index_add(ic, index_constant(t.row_block)), rows[1])
                    loop(jc, jc_end, t.columns, lambda jr: loop(
                        ic, ic_end, t.rows,
                        lambda ir: self.microkernel(values, ir, jr, pc, pc_end)))

                loop(rows[0], rows[1], t.row_block, row_block)

            loop(index_constant(0), k, t.depth, depth_block)

        loop(columns[0], columns[1], t.column_block, column_block)

    def microkernel(self, values: dict[int, SSAValue], ir: SSAValue, jr: SSAValue,
                    pc: SSAValue, pc_end: SSAValue) -> None:
        """The sums of one block of k for one MR x NR tile, added to C; after the last
        block, the epilogue applied to the tile."""
        t, m = self.tiles, self.matmul
        lanes = t.columns // t.width
        zero = index_constant(0)
        last_row = index_constant(m.m - 1)
        first_block = arith.CmpiOp(pc, zero, "eq").result
        columns = [index_add(jr, index_constant(lane * t.width)) for lane in range(lanes)]
        column_counts = [arith.SubiOp(index_constant(m.n), column).result for column in columns]
        column_masks = [vector.CreateMaskOp([count], self.mask_type).mask_vector
                        for count in column_counts]
        rows, load_masks, store_masks = [], [], []
        for r in range(t.rows):
            row = index_add(ir, index_constant(r))
            inside = arith.CmpiOp(row, index_constant(m.m), "slt").result
            rows.append(index_min(row, last_row))
            loads = arith.AndIOp(inside, arith.XOrIOp(first_block, true()).result).result \
                if self.zero_init else inside
            for count in column_counts:
                store_masks.append(self.mask(inside, count))
                load_masks.append(self.mask(loads, count))
        zeros = splat_vector(self.vector_type, 0.0)
        tile = [(row, column) for row in rows for column in columns]
        block = Block(arg_types=[IndexType(), *[self.vector_type] * len(tile)])
        kk, *carried = block.args
        with ImplicitBuilder(block):
            b_panel = [vector.MaskedLoadOp(m.b, m.indices(1, values, k=kk, j=column), mask,
                                           zeros).result
                       for column, mask in zip(columns, column_masks, strict=True)]
            updated = []
            for r, row in enumerate(rows):
                a = memref.LoadOp.get(m.a, m.indices(0, values, i=row, k=kk)).res
                a_lanes = vector.BroadcastOp(a, self.vector_type).vector
                for lane, b in enumerate(b_panel):
                    updated.append(vector.FMAOp(a_lanes, b, carried[r * lanes + lane]).res)
            scf.YieldOp(*updated)
        sums = scf.ForOp(pc, pc_end, index_constant(1), [zeros] * len(tile), [block]).results
        for (row, column), load, store, block_sum in zip(tile, load_masks, store_masks, sums,
                                                         strict=True):
            indices = m.indices(2, values, i=row, j=column)
            before = vector.MaskedLoadOp(m.c, indices, load, zeros).result
            vector.MaskedStoreOp(m.c, indices, store, arith.AddfOp(before, block_sum).result)
        if self.epilogue is not None:
            last_block = arith.CmpiOp(pc_end, index_constant(m.k), "eq").result
            self.epilogue_tile(values, ir, jr, arith.SelectOp(last_block, index_constant(t.rows),
                                                              zero).result)

    def epilogue_tile(self, values: dict[int, SSAValue], ir: SSAValue, jr: SSAValue,
                      rows: SSAValue) -> None:
        """The epilogue applied in place to the first `rows` rows of the tile just stored
        (still in L1: all of them after the last block of k, none before), a vector at a
        time in a loop, so that its body is emitted once, not once per vector."""
        t, m, epilogue = self.tiles, self.matmul, self.epilogue
        zeros = splat_vector(self.vector_type, 0.0)

        def apply(r: SSAValue, lane: SSAValue) -> None:
            row = index_add(ir, r)
            inside = arith.CmpiOp(row, index_constant(m.m), "slt").result
            row = index_min(row, index_constant(m.m - 1))
            column = index_add(jr, arith.MuliOp(lane, index_constant(t.width)).result)
            mask = self.mask(inside, arith.SubiOp(index_constant(m.n), column).result)
            indices = m.indices(2, values, i=row, j=column)
            sums = vector.MaskedLoadOp(m.c, indices, mask, zeros).result
            last_column = index_min(column, index_constant(m.n - 1))
            value = epilogue.apply(m, values, row, last_column, mask, sums)
            vector.MaskedStoreOp(m.c, indices, mask, value)

        lanes = index_constant(t.columns // t.width)
        loop(index_constant(0), rows, 1, lambda r: loop(
            index_constant(0), lanes, 1, lambda lane: apply(r, lane)))

    def mask(self, row_inside: SSAValue, count: SSAValue) -> SSAValue:
        lanes = arith.SelectOp(row_inside, count, index_constant(0)).result
        return vector.CreateMaskOp([lanes], self.mask_type).mask_vector




def rewrite_matmul(matmul: Matmul, tiles: GemmTiles, threads: int) -> None:
    """Replace the matmul generic (and the zero fill of C before it, and its epilogue) with
    the blocked loops, split in blocks for `threads` threads (1: all in one)."""
    epilogue = epilogue_of(matmul)
    block = Block()
    with ImplicitBuilder(block):
        _GemmEmitter(matmul, tiles, matmul.fill is not None, threads, epilogue).emit()
    Rewriter.inline_block(block, InsertPoint.before(matmul.op))
    Rewriter.erase_op(matmul.op)
    if matmul.fill is not None:
        Rewriter.erase_op(matmul.fill)
    if epilogue is not None:
        Rewriter.erase_op(epilogue.op)
        Rewriter.erase_op(matmul.c.owner)


@dataclass(frozen=True)
class LithoGemmPass(ModulePass):
    """Run each fp32 matmul generic as blocked loops around an FMA microkernel.

    The options are `GemmTiles`' fields (the vector width W, the register tile
    `rows` x `columns`, the blocks `depth`, `row_block` and `column_block`), and the work
    (multiply-adds) from which the matmul runs on `threads` threads (0: this machine's
    cores), each on its own block of columns or rows. With `autotune`, a matmul whose
    shape the autotuner's cache (gemm_tiles.TuningCache) has takes the tiles found for it.
    """

    name = "litho-gemm"
    tolerance: ClassVar[Tolerance] = REASSOCIATE
    vector_width: int = GemmTiles.width
    rows: int = GemmTiles.rows
    columns: int = GemmTiles.columns
    depth: int = GemmTiles.depth
    row_block: int = GemmTiles.row_block
    column_block: int = GemmTiles.column_block
    min_parallel_work: int = MIN_PARALLEL_WORK
    threads: int = 0
    autotune: bool = False

    def tiles(self) -> GemmTiles:
        """The tiles the options give (those of a matmul the tuning cache lacks)."""
        return GemmTiles(self.vector_width, self.rows, self.columns, self.depth,
                         self.row_block, self.column_block)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        tiles = self.tiles()
        tuned = TuningCache.load() if self.autotune else None
        for function in defined_functions(op):
            generics = [op for op in function.walk() if isinstance(op, linalg.GenericOp)]
            matmuls = [matmul for matmul in map(prepare_matmul, generics) if matmul]
            for matmul in matmuls:  # an epilogue goes with its matmul
                shape = self.shape(matmul)
                chosen = tuned.get(shape) if tuned is not None else None
                if chosen is None or chosen.width != tiles.width:
                    chosen = tiles
                rewrite_matmul(matmul, chosen, shape.threads)

    def shape(self, matmul: Matmul) -> GemmShape:
        """The matmul's extents and the threads it runs on: all of them from
        `min_parallel_work` multiply-adds, else one."""
        batch = math.prod(matmul.batch)
        work = batch * matmul.m * matmul.n * matmul.k
        threads = self.threads or len(os.sched_getaffinity(0))
        return GemmShape(batch, matmul.m, matmul.n, matmul.k,
                         threads if work >= self.min_parallel_work else 1)
