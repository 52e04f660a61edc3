"""Reading a `linalg.generic` on memrefs as a matmul C[b, i, j] += A[b, i, k] * B[b, k, j],
for litho-gemm (see its docstring): which loop dimensions are i, j, k and a batch, which
factors the microkernel reads as they are, and the generics that pack the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from litho.lowering.graph.convert_litho_tensor_to_linalg import row_major_strides
from litho.lowering.targets.cpu.builders import index_constant
from xdsl.dialects import affine, arith, memref
from xdsl.dialects.builtin import (
    AffineMapAttr,
    Float32Type,
    FloatAttr,
    MemRefType,
    f32,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr, AffineMap
from xdsl.rewriter import InsertPoint, Rewriter


@dataclass(frozen=True)
class Matmul:
    """A matmul generic, read as C[b, i, j] += A[b, i, k] * B[b, k, j]: the operands and
    the maps from the matmul's loops (batch..., i, j, k) to their indices. The generic's
    j and k may each be several dimensions (a convolution's output pixels and its channels
    and kernel window), which the matmul's j and k run through as one."""

    op: linalg.GenericOp
    a: SSAValue
    b: SSAValue
    c: SSAValue
    maps: tuple[AffineMap, AffineMap, AffineMap]
    m: int
    n: int
    k: int
    batch: tuple[int, ...]
    """The extent of each batch dimension."""
    fill: linalg.GenericOp | None
    """The zero fill of C just before the matmul, if there is one."""

    def indices(self, operand: int, batch: dict[int, SSAValue], **loops: SSAValue
                ) -> list[SSAValue]:
        """The indices of operand `operand` (0 A, 1 B, 2 C) at the values `batch` of the
        batch loops and `loops` of i, j and k (those the operand reads)."""
        return self.indices_of(self.maps[operand], batch, **loops)

    def indices_of(self, indexing: AffineMap, batch: dict[int, SSAValue], **loops: SSAValue
                   ) -> list[SSAValue]:
        """The results of `indexing`, a map of the matmul's loops, at those values."""
        values = dict(batch)
        for position, name in enumerate("ijk", start=len(self.batch)):
            if name in loops:
                values[position] = loops[name]
        return [_affine_value(expr, values) for expr in indexing.results]


def _affine_value(expr: AffineExpr, values: dict[int, SSAValue]) -> SSAValue:
    """`expr` of loop values `values`: the value itself for a dimension, a constant for a
    constant, else an affine.apply (which lower-affine makes arithmetic)."""
    if isinstance(expr, AffineDimExpr):
        return values[expr.position]
    if isinstance(expr, AffineConstantExpr):
        return index_constant(expr.value)
    used = sorted(expr.used_dims())
    renamed = expr.replace_dims_and_symbols(
        [AffineExpr.dimension(used.index(d)) if d in used else AffineExpr.constant(0)
         for d in range(used[-1] + 1)], [])
    return affine.ApplyOp([values[d] for d in used],
                          AffineMapAttr(AffineMap(len(used), 0, (renamed,)))).result


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
    """Which loop dimensions of a matmul generic are i, j (C's last ones, in C's order), k
    (the reductions) and a batch; which factor of the product is A's (`a`, 0 or 1)."""

    i: int
    j: tuple[int, ...]
    k: tuple[int, ...]
    batch: tuple[int, ...]
    a: int

    def factor(self, side: int) -> int:
        """Which factor of the product is A's (side 0) or B's (side 1)."""
        return self.a if side == 0 else 1 - self.a

    def layout(self, side: int, used: set[int]) -> tuple[int, ...]:
        """The dimensions of a factor's buffer as the microkernel reads it: A as
        [batch..., i, k...], B as [batch..., k..., j...]."""
        last = (self.i, *self.k) if side == 0 else (*self.k, *self.j)
        return (*(d for d in self.batch if d in used), *last)

    def loops(self, extents: list[int]) -> AffineMap:
        """The generic's dimensions as a map of the matmul's loops (batch..., i, j, k):
        each dimension of j or k is its digit of the flat index (0 where its extent is
        1)."""
        loop = AffineExpr.dimension
        results: list[AffineExpr] = [AffineExpr.constant(0)] * len(extents)
        for position, d in enumerate(self.batch):
            results[d] = loop(position)
        i = len(self.batch)
        results[self.i] = loop(i)
        for group, flat in ((self.j, loop(i + 1)), (self.k, loop(i + 2))):
            wide = _wide(group, extents)
            for d, stride in zip(wide, _strides(wide, extents), strict=True):
                digit = flat // stride if stride > 1 else flat
                results[d] = digit if d == wide[0] else digit % extents[d]
        return AffineMap(i + 3, 0, tuple(results))


def _wide(group: tuple[int, ...], extents: list[int]) -> tuple[int, ...]:
    """The dimensions of `group` whose extent is not 1."""
    return tuple(d for d in group if extents[d] != 1)


def _strides(group: tuple[int, ...], extents: list[int]) -> list[int]:
    """The row-major strides of the dimensions `group` of extents `extents`."""
    return [math.prod(extents[d] for d in group[at + 1:]) for at in range(len(group))]


def _used_dims(op: linalg.GenericOp, inputs: tuple[int, ...]) -> set[int]:
    return set().union(*(op.indexing_maps.data[i].data.used_dims() for i in inputs))


def _trailing(positions: list[int], allowed: set[int]) -> tuple[int, ...]:
    """The longest run at the end of `positions` that is all in `allowed`."""
    count = 0
    while count < len(positions) and positions[-1 - count] in allowed:
        count += 1
    return tuple(positions[len(positions) - count:])


def _roles(op: linalg.GenericOp, product: _Product) -> _Roles | None:
    """The roles of `op`'s dimensions if it is an fp32 matmul of memrefs whose C is
    indexed by a projection with j last (A and B may be indexed by any affine map)."""
    if op.res or not all(isinstance(value.type, MemRefType) and isinstance(
            value.type.get_element_type(), Float32Type) for value in op.operands):
        return None
    c_positions = _projection(op.indexing_maps.data[-1].data)
    iterators = [iterator.data.value for iterator in op.iterator_types.data]
    k = tuple(d for d, kind in enumerate(iterators) if kind == "reduction")
    if not c_positions or not k:
        return None
    c_dims = set(c_positions)
    for a in (0, 1):
        a_dims = _used_dims(op, product.inputs[a])
        b_dims = _used_dims(op, product.inputs[1 - a])
        j = _trailing(c_positions, b_dims - a_dims)
        i_candidates = (a_dims & c_dims) - b_dims
        if len(i_candidates) != 1 or not j or not set(k) <= a_dims & b_dims:
            continue
        (i,) = i_candidates
        batch = set(range(len(iterators))) - {i, *j, *k}
        if c_dims == batch | {i, *j} and \
                (a_dims - {i, *k}) <= batch >= (b_dims - {*k, *j}):
            return _Roles(i, j, k, tuple(sorted(batch)), a)
    return None


def _readable(op: linalg.GenericOp, product: _Product, side: int, roles: _Roles,
              loops: AffineMap) -> AffineMap | None:
    """The map from the matmul's loops to the indices of factor `side` (0 A, 1 B) if the
    microkernel reads it as it is, else None. A is read a scalar at a time: it must be a
    block argument of an input indexed by a projection (dimensions of j and k of extent 1
    aside, which index 0). B is read in vectors along j: also, its dimensions of j must
    lie in memory as the flat j runs through them."""
    factor = product.factors[roles.factor(side)]
    if not isinstance(factor, BlockArgument):
        return None
    indexing = op.indexing_maps.data[factor.index].data
    extents = op.get_static_loop_ranges()
    zero = AffineExpr.constant(0)
    ones = {d for d in (*roles.j, *roles.k) if extents[d] == 1}
    without_ones = indexing.compose(AffineMap(len(extents), 0, tuple(
        zero if d in ones else AffineExpr.dimension(d) for d in range(len(extents)))))
    if any(expr != zero and not isinstance(expr, AffineDimExpr)
           for expr in without_ones.results):
        return None
    positions = [expr.position if isinstance(expr, AffineDimExpr) else None
                 for expr in without_ones.results]
    read = [d for d in positions if d is not None]
    if len(set(read)) != len(read):
        return None
    if side == 1:
        wide = _wide(roles.j, extents)
        memory = row_major_strides(op.inputs[factor.index].type.get_shape())
        if any(d not in read or memory[positions.index(d)] != stride
               for d, stride in zip(wide, _strides(wide, extents), strict=True)):
            return None
    return indexing.compose(loops)


def _pack(op: linalg.GenericOp, product: _Product, side: int, roles: _Roles,
          loops: AffineMap, where: InsertPoint) -> tuple[SSAValue, AffineMap]:
    """Factor `side` computed into a new buffer laid out as the microkernel reads it, by a
    generic made at `where` (which later passes lower and run in parallel as any other),
    and the map from the matmul's loops to that buffer's indices. The generic runs over
    the factor's own dimensions, so a convolution's window is read in place (im2col)."""
    factor, inputs = product.factors[roles.factor(side)], product.inputs[roles.factor(side)]
    maps = [op.indexing_maps.data[i].data for i in inputs]
    used = _used_dims(op, inputs)
    layout = roles.layout(side, used)
    extents = op.get_static_loop_ranges()
    buffer = memref.AllocOp.get(f32, shape=[extents[d] for d in layout])
    in_layout = AffineMap(len(layout), 0, tuple(
        AffineExpr.dimension(layout.index(d)) if d in layout else AffineExpr.constant(0)
        for d in range(len(extents))))
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
                            [*(AffineMapAttr(m.compose(in_layout)) for m in maps),
                             AffineMapAttr(AffineMap.identity(len(layout)))],
                            [linalg.IteratorTypeAttr.parallel()] * len(layout))
    Rewriter.insert_op([buffer, pack], where)
    read = AffineMap(loops.num_dims, 0, tuple(loops.results[d] for d in layout))
    return buffer.memref, read


def prepare_matmul(op: linalg.GenericOp) -> Matmul | None:
    """`op` as a Matmul, or None if it is not one. A factor the microkernel cannot read as
    it is (computed by a fused prologue, read through a reshape's map or a convolution's
    window, a B whose stride-1 dimension is not j, a j or k of several dimensions) is
    first computed into a buffer it can read, at the cost of one pass over that operand."""
    product = _product(op)
    roles = _roles(op, product) if product is not None else None
    extents = op.get_static_loop_ranges()
    if roles is None or 0 in extents:
        return None
    loops = roles.loops(extents)
    fill = _zero_fill_before(op)
    operands, maps = [], []
    for side in (0, 1):
        read = _readable(op, product, side, roles, loops)
        if read is not None:
            operands.append(op.inputs[product.factors[roles.factor(side)].index])
        else:
            buffer, read = _pack(op, product, side, roles, loops,
                                 InsertPoint.before(fill or op))
            operands.append(buffer)
        maps.append(read)
    maps.append(op.indexing_maps.data[-1].data.compose(loops))
    return Matmul(op, *operands, op.outputs[0], tuple(maps), extents[roles.i],
                  math.prod(extents[d] for d in roles.j),
                  math.prod(extents[d] for d in roles.k),
                  tuple(extents[d] for d in roles.batch), fill)


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
