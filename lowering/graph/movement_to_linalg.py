"""The patterns of convert-litho-tensor-to-linalg for the data-movement ops.

Convolutions and pooling read their inputs through affine indexing maps
(`oh * stride + kh * dilation`). Ops whose reads depend on data or on which piece an
index falls in (take, gather, concat, pad), and slices, are gathers in MLIR's style: a generic over
the result whose body computes the source index from `linalg.index` and reads it with
`tensor.extract`. Indices read from data pass a `check_bounds` first (its own pattern
here), which reports an out-of-range one after the call; source indices are clamped
into range as well, so a bad index never reads stray memory.

```mlir
%e = litho_tensor.take %w, %ids {dim = 0 : i64} : (tensor<100x16xf32>, tensor<8xi64>)
    -> tensor<8x16xf32>
// becomes a generic over (d0, d1) with %ids read at (d0), whose body is
//   %i = arith.index_cast %id : i64 to index      (wrapped if negative, clamped)
//   %j = linalg.index 1 : index
//   %v = tensor.extract %w[%i, %j] : tensor<100x16xf32>
```
"""

from __future__ import annotations

import math as pymath
from collections.abc import Sequence

from litho.dialects.guard import CheckedIndexOp
from litho.dialects.tensor import movement as lm
from litho.dialects.tensor import windows as lw
from litho.lowering.graph.convert_litho_tensor_to_linalg import (
    build_generic,
    compare_scalars,
    convert_scalar,
    elementwise,
    fill,
    is_float,
    scalar_constant,
)
from xdsl.dialects import arith, tensor
from xdsl.dialects.builtin import AnyFloat, IndexType, IntegerAttr, TensorType, i64
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)


def index_constant(value: int) -> SSAValue:
    return arith.ConstantOp(IntegerAttr.from_index_int_value(value)).result


def loop_index(dim: int) -> SSAValue:
    return linalg.IndexOp(dim).result


def clamp_index(index: SSAValue, size: int) -> SSAValue:
    """`index` limited to `0 .. size - 1`."""
    low = arith.MaxSIOp(index, index_constant(0)).result
    return arith.MinSIOp(low, index_constant(max(size - 1, 0))).result


def data_index(value: SSAValue, size: int) -> SSAValue:
    """An integer element used as an index into a dim of `size`: wrapped, then clamped."""
    index = arith.IndexCastOp(value, IndexType()).result
    negative = arith.CmpiOp(index, index_constant(0), "slt").result
    wrapped = arith.AddiOp(index, index_constant(size)).result
    return clamp_index(arith.SelectOp(negative, wrapped, index).result, size)


def extract(source: SSAValue, indices: Sequence[SSAValue]) -> SSAValue:
    element_type = source.type.get_element_type()
    return tensor.ExtractOp(source, list(indices), element_type).result


def _with_dim(rank: int, dim: int, expression: AffineExpr) -> AffineMap:
    """Identity on the first `rank` of `rank + 1` loop dims, but `expression` at `dim`."""
    results = [expression if i == dim else AffineExpr.dimension(i) for i in range(rank)]
    return AffineMap(rank + 1, 0, tuple(results))


class IotaPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.IotaOp, rewriter: PatternRewriter):
        element_type = op.result.type.get_element_type()

        def body(args: Sequence[SSAValue]) -> SSAValue:
            index = arith.IndexCastOp(loop_index(op.dim.value.data), i64).result
            return convert_scalar(index, element_type)

        elementwise(rewriter, op, [], body, [])


class SlicePattern(RewritePattern):
    """A read at `start + step * i` along `dim`, in the body: an indexing map would let
    the input's larger size define the loop bounds."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.SliceOp, rewriter: PatternRewriter):
        dim, start, step = (attr.value.data for attr in (op.dim, op.start, op.step))
        rank = op.input.type.get_num_dims()

        def body(args: Sequence[SSAValue]) -> SSAValue:
            indices = [loop_index(i) for i in range(rank)]
            scaled = arith.MuliOp(indices[dim], index_constant(step)).result
            indices[dim] = arith.AddiOp(scaled, index_constant(start)).result
            return extract(op.input, indices)

        elementwise(rewriter, op, [], body, [])


class ConcatPattern(RewritePattern):
    """Each result element reads the piece its index along `dim` falls in."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.ConcatOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        rank = op.result.type.get_num_dims()

        def body(args: Sequence[SSAValue]) -> SSAValue:
            indices = [loop_index(i) for i in range(rank)]
            pieces: list[tuple[int, SSAValue]] = []
            end = 0
            for piece in op.inputs:
                size = piece.type.get_shape()[dim]
                piece_indices = list(indices)
                local = arith.SubiOp(indices[dim], index_constant(end)).result
                piece_indices[dim] = clamp_index(local, size)
                end += size
                pieces.append((end, extract(piece, piece_indices)))
            result = pieces[-1][1]
            for piece_end, value in reversed(pieces[:-1]):
                inside = arith.CmpiOp(indices[dim], index_constant(piece_end), "slt").result
                result = arith.SelectOp(inside, value, result).result
            return result

        elementwise(rewriter, op, [], body, [])


class TakePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.TakeOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        index_rank = op.indices.type.get_num_dims()
        rank = op.result.type.get_num_dims()
        size = op.input.type.get_shape()[dim]
        index_map = AffineMap(
            rank, 0, tuple(AffineExpr.dimension(dim + i) for i in range(index_rank))
        )

        def body(args: Sequence[SSAValue]) -> SSAValue:
            before = [loop_index(i) for i in range(dim)]
            after = [loop_index(i) for i in range(dim + index_rank, rank)]
            return extract(op.input, [*before, data_index(args[0], size), *after])

        elementwise(rewriter, op, [op.indices], body, [index_map])


class ScatterPattern(RewritePattern):
    """A generic over (dest dims..., index dims...) that reduces over the index dims:
    each result element starts as `dest`'s (at the first index point) and takes every
    update whose index names its position, in order, so the last write wins."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.ScatterOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        rank = op.result.type.get_num_dims()
        index_rank = op.indices.type.get_num_dims()
        d = AffineExpr.dimension
        loops = rank + index_rank
        index_dims = tuple(d(rank + i) for i in range(index_rank))
        update_dims = (*(d(i) for i in range(dim)), *index_dims,
                       *(d(i) for i in range(dim + 1, rank)))
        own = AffineMap(loops, 0, tuple(d(i) for i in range(rank)))
        accumulate = op.accumulate is not None
        add = arith.AddfOp if is_float(op.dest) else arith.AddiOp

        def body(args: Sequence[SSAValue]) -> SSAValue:
            dest, index, update, written = args
            first = [arith.CmpiOp(loop_index(rank + i), index_constant(0), "eq").result
                     for i in range(index_rank)]
            current = dest  # with a 0-d index there is one point, and it is the first
            if first:
                at_first = first[0]
                for other in first[1:]:
                    at_first = arith.AndIOp(at_first, other).result
                current = arith.SelectOp(at_first, dest, written).result
            position = arith.IndexCastOp(loop_index(dim), index.type).result
            hit = arith.CmpiOp(index, position, "eq").result
            new = add(current, update).result if accumulate else update
            return arith.SelectOp(hit, new, current).result

        empty = tensor.EmptyOp([], op.result.type)
        generic = build_generic(
            [op.dest, op.indices, op.updates],
            [own, AffineMap(loops, 0, index_dims), AffineMap(loops, 0, update_dims)],
            empty.tensor, own, ["parallel"] * rank + ["reduction"] * index_rank, body,
        )
        rewriter.replace(op, (empty, generic))


class CheckBoundsPattern(RewritePattern):
    """Each index through `litho_guard.checked_index`, which reports a bad one."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.CheckBoundsOp, rewriter: PatternRewriter):
        element_type = op.result.type.get_element_type()
        size, dim, where = op.size.value.data, op.dim.value.data, op.where.data

        def body(args: Sequence[SSAValue]) -> SSAValue:
            index = CheckedIndexOp(args[0], size, dim, where, op.wrap is not None).result
            return arith.IndexCastOp(index, element_type).result

        elementwise(rewriter, op, [op.indices], body)


class GatherPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.GatherOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        rank = op.result.type.get_num_dims()
        size = op.input.type.get_shape()[dim]

        def body(args: Sequence[SSAValue]) -> SSAValue:
            indices = [loop_index(i) for i in range(rank)]
            indices[dim] = data_index(args[0], size)
            return extract(op.input, indices)

        elementwise(rewriter, op, [op.index], body, [AffineMap.identity(rank)])


class PadPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lw.PadOp, rewriter: PatternRewriter):
        low, high = op.low.get_values(), op.high.get_values()
        shape = op.input.type.get_shape()
        element_type = op.result.type.get_element_type()

        def body(args: Sequence[SSAValue]) -> SSAValue:
            indices = []
            inside: SSAValue | None = None
            for dim, size in enumerate(shape):
                index = loop_index(dim)
                if low[dim] == 0 and high[dim] == 0:
                    indices.append(index)
                    continue
                source = arith.SubiOp(index, index_constant(low[dim])).result
                above = arith.CmpiOp(source, index_constant(0), "sge").result
                below = arith.CmpiOp(source, index_constant(size), "slt").result
                here = arith.AndIOp(above, below).result
                inside = here if inside is None else arith.AndIOp(inside, here).result
                indices.append(clamp_index(source, size))
            value = extract(op.input, indices)
            if inside is None:
                return value
            padding = scalar_constant(op.value.value.data, element_type)
            return arith.SelectOp(inside, value, padding).result

        elementwise(rewriter, op, [], body, [])


class CumsumPattern(RewritePattern):
    """A generic over (result dims..., j) adding `x[.., j, ..]` where `j <= i`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.CumsumOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        rank = op.result.type.get_num_dims()
        element_type = op.result.type.get_element_type()
        add = arith.AddfOp if is_float(op.input) else arith.AddiOp

        def body(args: Sequence[SSAValue]) -> SSAValue:
            included = arith.CmpiOp(loop_index(rank), loop_index(dim), "sle").result
            term = arith.SelectOp(included, args[0], scalar_constant(0, element_type)).result
            return add(args[1], term).result

        generic = build_generic(
            [op.input],
            [_with_dim(rank, dim, AffineExpr.dimension(rank))],
            fill(rewriter, op.result.type, 0),
            AffineMap(rank + 1, 0, tuple(AffineExpr.dimension(i) for i in range(rank))),
            ["parallel"] * rank + ["reduction"],
            body,
        )
        rewriter.replace(op, generic)


def _is_nan(x: SSAValue) -> SSAValue:
    return arith.CmpfOp(x, x, "une").result


def _sorts_before(a: SSAValue, b: SSAValue, descending: bool) -> SSAValue:
    """Whether `a` comes before `b` in torch's sort order (NaN above every number)."""
    if not isinstance(a.type, AnyFloat):
        return compare_scalars("gt" if descending else "lt", a, b)
    ordered = arith.CmpfOp(a, b, "ogt" if descending else "olt").result
    nan_first, number = (a, b) if descending else (b, a)
    is_number = arith.CmpfOp(number, number, "oeq").result
    by_nan = arith.AndIOp(_is_nan(nan_first), is_number).result
    return arith.OrIOp(ordered, by_nan).result


def _same(a: SSAValue, b: SSAValue) -> SSAValue:
    """Whether `a` and `b` tie in the sort order (two NaNs tie)."""
    if not isinstance(a.type, AnyFloat):
        return compare_scalars("eq", a, b)
    both_nan = arith.AndIOp(_is_nan(a), _is_nan(b)).result
    return arith.OrIOp(arith.CmpfOp(a, b, "oeq"), both_nan).result


class SortPattern(RewritePattern):
    """Three generics: each element's rank (how many sort before it, a reduction over the
    others, ties broken by position), the index whose rank is each position (a reduction
    that selects it), and the values read at those indices. O(n^2) in the sorted dim."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lm.SortOp, rewriter: PatternRewriter):
        dim = op.dim.value.data
        rank = op.input.type.get_num_dims()
        descending = op.descending is not None
        identity = AffineMap(rank + 1, 0, tuple(AffineExpr.dimension(i) for i in range(rank)))
        other = _with_dim(rank, dim, AffineExpr.dimension(rank))

        def count_before(args: Sequence[SSAValue]) -> SSAValue:
            here, there, count = args
            earlier = arith.CmpiOp(loop_index(rank), loop_index(dim), "slt").result
            tie_first = arith.AndIOp(_same(there, here), earlier).result
            before = arith.OrIOp(_sorts_before(there, here, descending), tie_first).result
            return arith.AddiOp(count, arith.ExtUIOp(before, i64)).result

        ranks = build_generic(
            [op.input, op.input], [identity, other], fill(rewriter, op.indices.type, 0),
            identity, ["parallel"] * rank + ["reduction"], count_before,
        )
        rewriter.insert(ranks)

        def pick_index(args: Sequence[SSAValue]) -> SSAValue:
            position = arith.IndexCastOp(loop_index(dim), i64).result
            lands_here = arith.CmpiOp(args[0], position, "eq").result
            source = arith.IndexCastOp(loop_index(rank), i64).result
            return arith.SelectOp(lands_here, source, args[1]).result

        order = build_generic(
            [ranks.res[0]], [other], fill(rewriter, op.indices.type, 0), identity,
            ["parallel"] * rank + ["reduction"], pick_index,
        )
        rewriter.insert(order)

        def read(args: Sequence[SSAValue]) -> SSAValue:
            indices = [loop_index(i) for i in range(rank)]
            indices[dim] = arith.IndexCastOp(args[0], IndexType()).result
            return extract(op.input, indices)

        empty = tensor.EmptyOp([], op.values.type)
        values = build_generic(
            [order.res[0]], [AffineMap.identity(rank)], empty.tensor, AffineMap.identity(rank),
            ["parallel"] * rank, read,
        )
        rewriter.insert((empty, values))
        rewriter.replace(op, [], [values.res[0], order.res[0]])


def _window_read(
    rank: int, first_window_loop: int, stride: Sequence[int], dilation: Sequence[int]
) -> list[AffineExpr]:
    """Indices of the trailing spatial dims: `out * stride + k * dilation`."""
    spatial = len(stride)
    first_out = rank - spatial
    return [
        AffineExpr.dimension(first_out + i) * stride[i]
        + AffineExpr.dimension(first_window_loop + i) * dilation[i]
        for i in range(spatial)
    ]


class ConvPattern(RewritePattern):
    """Loops n, o, spatial outputs..., c, kernel... with c and the kernel reduced."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lw.ConvOp, rewriter: PatternRewriter):
        stride, dilation = op.stride.get_values(), op.dilation.get_values()
        groups = op.groups.value.data
        rank = op.result.type.get_num_dims()
        spatial = rank - 2
        out_channels = op.result.type.get_shape()[1]
        channels_per_group = op.weight.type.get_shape()[1]
        loop_count = rank + 1 + spatial
        d = AffineExpr.dimension
        channel = d(rank)
        if groups > 1:
            group = d(1) // (out_channels // groups)
            channel = group * channels_per_group + channel
        window = _window_read(rank, rank + 1, stride, dilation)
        input_map = AffineMap(loop_count, 0, (d(0), channel, *window))
        kernel = tuple(d(rank + 1 + i) for i in range(spatial))
        weight_map = AffineMap(loop_count, 0, (d(1), d(rank), *kernel))
        output_map = AffineMap(loop_count, 0, tuple(d(i) for i in range(rank)))
        generic = build_generic(
            [op.input, op.weight],
            [input_map, weight_map],
            fill(rewriter, op.result.type, 0.0),
            output_map,
            ["parallel"] * rank + ["reduction"] * (1 + spatial),
            lambda args: arith.AddfOp(args[2], arith.MulfOp(args[0], args[1])).result,
        )
        rewriter.replace(op, generic)


class PoolPattern(RewritePattern):
    """Loops over the result dims and the window; an empty window-shaped operand gives
    the window loops their bounds, as MLIR's pooling ops do."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lw.PoolOp, rewriter: PatternRewriter):
        window = op.window.get_values()
        rank = op.result.type.get_num_dims()
        loop_count = rank + len(window)
        d = AffineExpr.dimension
        element_type = op.result.type.get_element_type()
        reads = _window_read(rank, rank, op.stride.get_values(), op.dilation.get_values())
        leading = tuple(d(i) for i in range(rank - len(window)))
        shape_operand = tensor.EmptyOp([], TensorType(element_type, window))
        rewriter.insert(shape_operand)
        is_max = op.kind.data == "max"
        combine = arith.MaximumfOp if is_max else arith.AddfOp
        generic = build_generic(
            [op.input, shape_operand.tensor],
            [
                AffineMap(loop_count, 0, (*leading, *reads)),
                AffineMap(loop_count, 0, tuple(d(rank + i) for i in range(len(window)))),
            ],
            fill(rewriter, op.result.type, -pymath.inf if is_max else 0.0),
            AffineMap(loop_count, 0, tuple(d(i) for i in range(rank))),
            ["parallel"] * rank + ["reduction"] * len(window),
            lambda args: combine(args[0], args[2]).result,
        )
        rewriter.replace(op, generic)


MOVEMENT_PATTERNS = (
    IotaPattern,
    SlicePattern,
    ConcatPattern,
    TakePattern,
    ScatterPattern,
    CheckBoundsPattern,
    GatherPattern,
    PadPattern,
    CumsumPattern,
    SortPattern,
    ConvPattern,
    PoolPattern,
)
