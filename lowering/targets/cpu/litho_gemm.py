"""litho-gemm: an fp32 matmul as cache-blocked loops around a register-tiled FMA microkernel.

Input: L3 buffers before convert-linalg-to-loops. A `linalg.generic` on memrefs is a
matmul when its body is `c + a * b` on f32 (a and b may be computed from the inputs: a
prologue that elementwise fusion put there), it has one reduction dimension k, a parallel
dimension i that A and C index and B does not, a parallel dimension j that C indexes last
and B indexes and A does not, and any other dimensions are a batch that C indexes and A
and B index alike or not at all. A factor the microkernel cannot read as it is (computed
by a prologue, read through a reshape's map, a B not stride-1 along j) is first computed
into a buffer laid out [batch, i, k] or [batch, k, j].

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
                acc = C[ir:ir+MR, jr:jr+NR]      MR x NR/W vectors of W lanes
                for k in [pc, pc + KC):          one rank-1 update per step:
                  acc += broadcast(A[ir + r, k]) * B[k, jr:jr+NR]
                C[ir:ir+MR, jr:jr+NR] = acc

Loads and stores of C and B are masked, so any M, N and K work with one microkernel: the
rows of a tile past M read a valid row and store nothing, the lanes past N load zeros and
store nothing. A zero fill of C just before the matmul is dropped: the first K block starts
its accumulators at zero instead of loading C. Each element of C still sums its products in
order of k, one fused multiply-add at a time (the `contract` freedom the matmul carries).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import ClassVar

from litho.compiler.errors import CompilationError
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from litho.lowering.loops.litho_parallel_loops import MIN_PARALLEL_WORK
from xdsl.builder import ImplicitBuilder
from xdsl.context import Context
from xdsl.dialects import arith, memref, scf, vector
from xdsl.dialects.builtin import (
    AffineMapAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IndexType,
    MemRefType,
    ModuleOp,
    VectorType,
    f32,
    i1,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr, AffineExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

_CONTRACT = arith.FastMathFlagsAttr([arith.FastMathFlag.ALLOW_CONTRACT])


@dataclass(frozen=True)
class GemmTiles:
    """The register tile (MR `rows` by NR `columns`, NR a multiple of the vector `width`
    W) and the cache blocks (`depth` KC steps of k, `row_block` MC rows of A,
    `column_block` NC columns of B).

    The defaults are for AVX-512's 32 registers of 16 floats: 24 accumulators, 4 vectors
    of B and one broadcast of A.
    """

    width: int = 16
    rows: int = 6
    columns: int = 64
    depth: int = 256
    row_block: int = 96
    column_block: int = 512

    def __post_init__(self) -> None:
        if (self.columns % self.width or self.row_block % self.rows
                or self.column_block % self.columns):
            raise CompilationError(
                f"GEMM tiles {self}: columns must be a multiple of width, row_block of "
                "rows and column_block of columns")


@dataclass(frozen=True)
class Matmul:
    """A matmul generic, read: its operands, sizes and the dimensions that index them."""

    op: linalg.GenericOp
    a: SSAValue
    b: SSAValue
    c: SSAValue
    m: int
    n: int
    k: int
    dims: dict[str, int]
    """The loop dimension of "i", "j" and "k"; the others are batch dimensions."""
    batch: tuple[tuple[int, int], ...]
    """(dimension, extent) of each batch dimension."""
    fill: linalg.GenericOp | None
    """The zero fill of C just before the matmul, if there is one."""

    def indices(self, operand: int, values: dict[int, SSAValue]) -> list[SSAValue]:
        """The indices of operand `operand` (0 A, 1 B, 2 C) at loop values `values`."""
        results = self.op.indexing_maps.data[operand].data.results
        return [values[expr.position] for expr in results]


@dataclass(frozen=True)
class _Product:
    """A generic's body `yield c + x * y`: the factors, with the inputs each reads."""

    factors: tuple[SSAValue, SSAValue]
    inputs: tuple[tuple[int, ...], tuple[int, ...]]


def _product(op: linalg.GenericOp) -> _Product | None:
    """The body as `c + x * y`, c the output's block argument and x and y computed from
    the inputs alone (a prologue fused into the matmul, such as a norm's scaling), or
    None."""
    *input_args, c = op.body.block.args
    result = op.body.block.last_op
    if len(op.outputs) != 1 or not isinstance(result, linalg.YieldOp):
        return None
    add = result.operands[0].owner
    if not isinstance(add, arith.AddfOp) or c not in (add.lhs, add.rhs):
        return None
    multiply = (add.rhs if add.lhs == c else add.lhs).owner
    if not isinstance(multiply, arith.MulfOp) or len(list(c.uses)) != 1:
        return None
    inputs = []
    for factor in (multiply.lhs, multiply.rhs):
        _, reads = _computed_from(factor, op.body.block)
        if c in reads or not reads:
            return None
        inputs.append(tuple(sorted(input_args.index(arg) for arg in reads)))
    return _Product((multiply.lhs, multiply.rhs), tuple(inputs))


def _computed_from(value: SSAValue, block: Block) -> tuple[set[Operation], set[SSAValue]]:
    """The ops of `block` that compute `value`, and the arguments of `block` they read."""
    ops: set[Operation] = set()
    arguments: set[SSAValue] = set()
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, BlockArgument):
            if value.block is block:
                arguments.add(value)
        elif value.owner.parent_block() is block and value.owner not in ops:
            ops.add(value.owner)
            pending.extend(value.owner.operands)
    return ops, arguments


def _projection(indexing_map: AffineMap) -> list[int] | None:
    """The map's results as distinct dimension numbers, or None if it is not a projection."""
    results = indexing_map.results
    if not all(isinstance(expr, AffineDimExpr) for expr in results):
        return None
    positions = [expr.position for expr in results]
    return positions if len(set(positions)) == len(positions) else None


@dataclass(frozen=True)
class _Roles:
    """Which loop dimension of a matmul generic is i, j, k, and which are a batch; which
    factor of the product is A's (`a`, 0 or 1)."""

    i: int
    j: int
    k: int
    batch: tuple[int, ...]
    a: int

    def factor(self, side: int) -> int:
        """Which factor of the product is A's (side 0) or B's (side 1)."""
        return self.a if side == 0 else 1 - self.a

    def layout(self, side: int, used: set[int]) -> tuple[int, ...]:
        """The dimensions of a factor's buffer as the microkernel reads it: A as
        [batch..., i, k], B as [batch..., k, j]."""
        last = (self.i, self.k) if side == 0 else (self.k, self.j)
        return (*(d for d in self.batch if d in used), *last)


def _used_dims(op: linalg.GenericOp, inputs: tuple[int, ...]) -> set[int]:
    return set().union(*(op.indexing_maps.data[i].data.used_dims() for i in inputs))


def _roles(op: linalg.GenericOp, product: _Product) -> _Roles | None:
    """The roles of `op`'s dimensions if it is an fp32 matmul of memrefs whose C is
    indexed by a projection with j last (A and B may be indexed by any affine map)."""
    if op.res or not all(isinstance(value.type, MemRefType) and isinstance(
            value.type.get_element_type(), Float32Type) for value in op.operands):
        return None
    c_map = op.indexing_maps.data[-1].data
    c_positions = _projection(c_map)
    iterators = [iterator.data.value for iterator in op.iterator_types.data]
    reductions = [d for d, kind in enumerate(iterators) if kind == "reduction"]
    if not c_positions or len(reductions) != 1:
        return None
    (k,), j, c_dims = reductions, c_positions[-1], c_map.used_dims()
    for a in (0, 1):
        a_dims = _used_dims(op, product.inputs[a])
        b_dims = _used_dims(op, product.inputs[1 - a])
        i_candidates = (a_dims & c_dims) - b_dims
        if (len(i_candidates) != 1 or j in a_dims or j not in b_dims
                or k not in a_dims or k not in b_dims or k in c_dims):
            continue
        (i,) = i_candidates
        batch = set(range(len(iterators))) - {i, j, k}
        if c_dims == batch | {i, j} and (a_dims - {i, k}) <= batch >= (b_dims - {k, j}):
            return _Roles(i, j, k, tuple(sorted(batch)), a)
    return None


def _readable(op: linalg.GenericOp, product: _Product, side: int, roles: _Roles) -> bool:
    """Whether the microkernel reads factor `side` (0 A, 1 B) as it is: a block argument
    of an input indexed by a projection, with j last for B (B is read in vectors along j)."""
    factor = product.factors[roles.factor(side)]
    if not isinstance(factor, BlockArgument):
        return False
    positions = _projection(op.indexing_maps.data[factor.index].data)
    return positions is not None and (side == 0 or positions[-1] == roles.j)


def _pack(op: linalg.GenericOp, product: _Product, side: int, roles: _Roles,
          where: InsertPoint) -> tuple[SSAValue, AffineMap]:
    """Factor `side` computed into a new buffer laid out as the microkernel reads it, by a
    generic made at `where` (which later passes lower and run in parallel as any other),
    and the map by which the matmul reads that buffer."""
    factor, inputs = product.factors[roles.factor(side)], product.inputs[roles.factor(side)]
    maps = [op.indexing_maps.data[i].data for i in inputs]
    layout = roles.layout(side, _used_dims(op, inputs))
    extents = op.get_static_loop_ranges()
    buffer = memref.AllocOp.get(f32, shape=[extents[d] for d in layout])
    dims = sorted(layout)
    unused = [d not in layout for d in range(maps[0].num_dims)]
    output_map = AffineMap(len(dims), 0, tuple(AffineExpr.dimension(dims.index(d))
                                               for d in layout))
    args = [op.body.block.args[i] for i in inputs]
    body = Block(arg_types=[*(arg.type for arg in args), f32])
    copies: dict[SSAValue, SSAValue] = dict(zip(args, body.args, strict=False))
    computing, _ = _computed_from(factor, op.body.block)
    for body_op in op.body.block.ops:
        if body_op in computing:
            clone = body_op.clone(value_mapper=copies)
            body.add_op(clone)
            copies.update(zip(body_op.results, clone.results, strict=True))
    body.add_op(linalg.YieldOp(copies[factor]))
    pack = linalg.GenericOp([op.inputs[i] for i in inputs], [buffer.memref], Region(body),
                            [*(AffineMapAttr(m.drop_dims(unused)) for m in maps),
                             AffineMapAttr(output_map)],
                            [linalg.IteratorTypeAttr.parallel()] * len(dims))
    Rewriter.insert_op([buffer, pack], where)
    read = AffineMap(maps[0].num_dims, 0, tuple(AffineExpr.dimension(d) for d in layout))
    return buffer.memref, read


def prepare_matmul(op: linalg.GenericOp) -> Matmul | None:
    """`op` as a Matmul, or None if it is not one. A factor the microkernel cannot read as
    it is (computed by a fused prologue, read through a reshape's map, a B whose stride-1
    dimension is not j) is first computed into a buffer it can read, at the cost of one
    pass over that operand; the generic then reads A and B and multiplies and adds."""
    product = _product(op)
    roles = _roles(op, product) if product is not None else None
    if roles is None:
        return None
    fill = _zero_fill_before(op)
    readable = [_readable(op, product, side, roles) for side in (0, 1)]
    if not (all(readable) and len(op.inputs) == 2 and roles.a == 0):
        operands, maps = [], []
        for side in (0, 1):
            if readable[side]:
                index = product.factors[roles.factor(side)].index
                operands.append(op.inputs[index])
                maps.append(op.indexing_maps.data[index].data)
            else:
                buffer, read = _pack(op, product, side, roles, InsertPoint.before(fill or op))
                operands.append(buffer)
                maps.append(read)
        body = Block(arg_types=[f32, f32, f32])
        a, b, c = body.args
        multiply = arith.MulfOp(a, b, _CONTRACT)
        add = arith.AddfOp(c, multiply.result, _CONTRACT)
        body.add_ops([multiply, add, linalg.YieldOp(add.result)])
        rewritten = linalg.GenericOp(
            operands, list(op.outputs), Region(body),
            [*(AffineMapAttr(m) for m in maps), op.indexing_maps.data[-1]], op.iterator_types)
        Rewriter.replace_op(op, rewritten)
        op = rewritten
    extents = op.get_static_loop_ranges()
    return Matmul(op, *op.operands, extents[roles.i], extents[roles.j], extents[roles.k],
                  {"i": roles.i, "j": roles.j, "k": roles.k},
                  tuple((d, extents[d]) for d in roles.batch), fill)


def _zero_fill_before(op: linalg.GenericOp) -> linalg.GenericOp | None:
    """The generic just before `op` that fills its output with zeros, if there is one."""
    fill = op.prev_op
    if not isinstance(fill, linalg.GenericOp) or fill.inputs or \
            list(fill.outputs) != list(op.outputs):
        return None
    ops = list(fill.body.block.ops)
    if len(ops) != 2 or not isinstance(ops[0], arith.ConstantOp):
        return None
    value = ops[0].value
    return fill if (isinstance(value, FloatAttr) and value.value.data == 0.0
                    and tuple(ops[1].operands) == (ops[0].result,)) else None


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _index(value: int) -> SSAValue:
    return arith.ConstantOp.from_int_and_width(value, IndexType()).result


def _min(a: SSAValue, b: SSAValue) -> SSAValue:
    return arith.MinSIOp(a, b).result


def _add(a: SSAValue, b: SSAValue) -> SSAValue:
    return arith.AddiOp(a, b).result


def _loop(lower: SSAValue, upper: SSAValue, step: int, body, parallel: bool = False):
    """A loop over [lower, upper) whose body `body(iv)` is built in place."""
    block = Block(arg_types=[IndexType()])
    with ImplicitBuilder(block):
        body(block.args[0])
        (scf.ReduceOp() if parallel else scf.YieldOp())
    if parallel:
        return scf.ParallelOp([lower], [upper], [_index(step)], [block])
    return scf.ForOp(lower, upper, _index(step), [], [block])


class _GemmEmitter:
    """Builds the loops of one matmul (see the module's docstring) at the current
    ImplicitBuilder."""

    def __init__(self, matmul: Matmul, tiles: GemmTiles, zero_init: bool, threads: int):
        self.matmul, self.tiles, self.zero_init, self.threads = matmul, tiles, zero_init, threads
        self.vector_type = VectorType(f32, [tiles.width])
        self.mask_type = VectorType(i1, [tiles.width])

    def emit(self) -> None:
        self.batch_loops(list(self.matmul.batch), {})

    def batch_loops(self, batch: list[tuple[int, int]], values: dict[int, SSAValue]) -> None:
        if not batch:
            self.thread_blocks(values)
            return
        (dim, extent), *rest = batch
        _loop(_index(0), _index(extent), 1,
              lambda b: self.batch_loops(rest, {**values, dim: b}))

    def thread_blocks(self, values: dict[int, SSAValue]) -> None:
        """One block of columns per thread (of rows where there are fewer panels of columns
        than threads), each running the cache-blocked loops."""
        t, m = self.tiles, self.matmul
        everything = ((_index(0), _index(m.m)), (_index(0), _index(m.n)))
        if self.threads < 2:
            self.cache_blocks(values, *everything)
            return
        by_rows = -(-m.n // t.columns) < self.threads and m.m > t.rows
        extent, unit = (m.m, t.rows) if by_rows else (m.n, t.columns)
        size = _round_up(_round_up(extent, self.threads) // self.threads, unit)

        def thread_block(start: SSAValue) -> None:
            block = (start, _min(_add(start, _index(size)), _index(extent)))
            rows, columns = (block, everything[1]) if by_rows else (everything[0], block)
            self.cache_blocks(values, rows, columns)

        _loop(_index(0), _index(extent), size, thread_block, parallel=True)

    def cache_blocks(self, values: dict[int, SSAValue], rows: tuple[SSAValue, SSAValue],
                     columns: tuple[SSAValue, SSAValue]) -> None:
        """The loops of BLIS over rows [rows) and columns [columns) of C."""
        t, m = self.tiles, self.matmul
        k = _index(m.k)

        def column_block(jc: SSAValue) -> None:
            jc_end = _min(_add(jc, _index(t.column_block)), columns[1])

            def depth_block(pc: SSAValue) -> None:
                pc_end = _min(_add(pc, _index(t.depth)), k)

                def row_block(ic: SSAValue) -> None:
                    ic_end = _min(_add(ic, _index(t.row_block)), rows[1])
                    _loop(jc, jc_end, t.columns, lambda jr: _loop(
                        ic, ic_end, t.rows,
                        lambda ir: self.microkernel(values, ir, jr, pc, pc_end)))

                _loop(rows[0], rows[1], t.row_block, row_block)

            _loop(_index(0), k, t.depth, depth_block)

        _loop(columns[0], columns[1], t.column_block, column_block)

    def microkernel(self, values: dict[int, SSAValue], ir: SSAValue, jr: SSAValue,
                    pc: SSAValue, pc_end: SSAValue) -> None:
        t, m = self.tiles, self.matmul
        lanes = t.columns // t.width
        zero = _index(0)
        last_row = _index(m.m - 1)
        first_block = arith.CmpiOp(pc, zero, "eq").result
        columns = [_add(jr, _index(lane * t.width)) for lane in range(lanes)]
        column_counts = [arith.SubiOp(_index(m.n), column).result for column in columns]
        column_masks = [vector.CreateMaskOp([count], self.mask_type).mask_vector
                        for count in column_counts]
        rows, load_masks, store_masks = [], [], []
        for r in range(t.rows):
            row = _add(ir, _index(r))
            inside = arith.CmpiOp(row, _index(m.m), "slt").result
            rows.append(_min(row, last_row))
            loads = arith.AndIOp(inside, arith.XOrIOp(first_block, _true()).result).result \
                if self.zero_init else inside
            for count in column_counts:
                store_masks.append(self.mask(inside, count))
                load_masks.append(self.mask(loads, count))
        zeros = _zero_vector(self.vector_type)
        tile = [(row, column) for row in rows for column in columns]
        accumulators = [
            vector.MaskedLoadOp(m.c, self.c_indices(values, row, column), mask, zeros).result
            for (row, column), mask in zip(tile, load_masks, strict=True)]

        block = Block(arg_types=[IndexType(), *[self.vector_type] * len(accumulators)])
        kk, *carried = block.args
        with ImplicitBuilder(block):
            b_panel = [vector.MaskedLoadOp(m.b, self.b_indices(values, kk, column), mask,
                                           zeros).result
                       for column, mask in zip(columns, column_masks, strict=True)]
            updated = []
            for r, row in enumerate(rows):
                a = memref.LoadOp.get(m.a, m.indices(0, {**values, m.dims["i"]: row,
                                                     m.dims["k"]: kk})).res
                a_lanes = vector.BroadcastOp(a, self.vector_type).vector
                for lane, b in enumerate(b_panel):
                    updated.append(vector.FMAOp(a_lanes, b, carried[r * lanes + lane]).res)
            scf.YieldOp(*updated)
        results = scf.ForOp(pc, pc_end, _index(1), accumulators, [block]).results
        for (row, column), mask, result in zip(tile, store_masks, results, strict=True):
            vector.MaskedStoreOp(m.c, self.c_indices(values, row, column), mask, result)

    def mask(self, row_inside: SSAValue, count: SSAValue) -> SSAValue:
        lanes = arith.SelectOp(row_inside, count, _index(0)).result
        return vector.CreateMaskOp([lanes], self.mask_type).mask_vector

    def b_indices(self, values: dict[int, SSAValue], k: SSAValue,
                  column: SSAValue) -> list[SSAValue]:
        m = self.matmul
        return m.indices(1, {**values, m.dims["k"]: k, m.dims["j"]: column})

    def c_indices(self, values: dict[int, SSAValue], row: SSAValue,
                  column: SSAValue) -> list[SSAValue]:
        m = self.matmul
        return m.indices(2, {**values, m.dims["i"]: row, m.dims["j"]: column})


def _true() -> SSAValue:
    return arith.ConstantOp.from_int_and_width(1, i1).result


def _zero_vector(vector_type: VectorType) -> SSAValue:
    zeros = DenseIntOrFPElementsAttr.from_list(vector_type, [0.0] * vector_type.get_shape()[0])
    return arith.ConstantOp(zeros, vector_type).result


def rewrite_matmul(matmul: Matmul, tiles: GemmTiles, threads: int) -> None:
    """Replace the matmul generic (and the zero fill of C before it) with the blocked loops,
    split in blocks for `threads` threads (1: all in one)."""
    block = Block()
    with ImplicitBuilder(block):
        _GemmEmitter(matmul, tiles, matmul.fill is not None, threads).emit()
    Rewriter.inline_block(block, InsertPoint.before(matmul.op))
    Rewriter.erase_op(matmul.op)
    if matmul.fill is not None:
        Rewriter.erase_op(matmul.fill)


@dataclass(frozen=True)
class LithoGemmPass(ModulePass):
    """Run each fp32 matmul generic as blocked loops around an FMA microkernel.

    The options are `GemmTiles`' fields (the vector width W, the register tile
    `rows` x `columns`, the blocks `depth`, `row_block` and `column_block`), and the work
    (multiply-adds) from which the matmul runs on `threads` threads (0: this machine's
    cores), each on its own block of columns or rows.
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

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        tiles = GemmTiles(self.vector_width, self.rows, self.columns, self.depth,
                          self.row_block, self.column_block)
        for function in defined_functions(op):
            generics = [op for op in function.walk() if isinstance(op, linalg.GenericOp)]
            for matmul in filter(None, map(prepare_matmul, generics)):
                work = math.prod(extent for _, extent in matmul.batch) * matmul.m * \
                    matmul.n * matmul.k
                threads = self.threads or len(os.sched_getaffinity(0))
                rewrite_matmul(matmul, tiles, threads if work >= self.min_parallel_work else 1)
