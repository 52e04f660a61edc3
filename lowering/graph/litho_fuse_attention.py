"""litho-fuse-attention: the ops of scaled dot-product attention become one
`litho_tensor.attention` (L1 -> L1).

Input: `litho_tensor` programs, where attention is a matmul of queries and transposed
keys, an optional scaling by a constant, an optional mask, a softmax over the last
dimension (row max, subtract, exp, row sum, divide) and a matmul with the values. This
is how attention is written by hand, and how litho's capture decomposes
`scaled_dot_product_attention`, with `where(max == -inf, 0, p)` after the softmax
(eager makes a row masked whole 0, which the op's `zero_masked_rows` says). Reshapes
that only regroup the batch dimensions (a matmul of 4-d tensors runs as a 3-d one) may
stand between them. Output: one `litho_tensor.attention` on the queries, keys and
values in the batch dimensions of the scores, so that later levels can run it as one
kernel that never holds all the scores (online softmax).

The mask is `where(mask, scores, -inf)` with a boolean mask (made additive: 0 where it
allows, -inf where it masks, as eager's attention does) or `scores + mask`; the scale a
multiplication or division by a splat constant. A value that the program also reads
elsewhere (the probabilities, say) keeps the ops as they are. The attention op scales
the queries and divides by the row sums after the second matmul, which rounds
differently, so the pass reassociates.

```mlir
%s = litho_tensor.matmul %q, %kt : (tensor<4x9x16xf32>, tensor<4x16x9xf32>) -> tensor<4x9x9xf32>
... reduce_max, sub, exp, reduce_sum, div ...
%o = litho_tensor.matmul %p, %v : (tensor<4x9x9xf32>, tensor<4x9x16xf32>) -> tensor<4x9x16xf32>
// becomes
%o = litho_tensor.attention %q, %kt, %v {scale = 1.0 : f64} : (...) -> tensor<4x9x16xf32>
```
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from litho.dialects import tensor as lt
from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from litho.lowering.graph.litho_canonicalize import splat_value
from xdsl.dialects.builtin import Float32Type, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(value.type.get_shape())


def _batch_view(value: SSAValue) -> SSAValue:
    """`value`, or what it is a reshape of when that reshape keeps the last two
    dimensions (it only regroups the batch)."""
    owner = value.owner
    if isinstance(owner, lt.ReshapeOp) and len(_shape(owner.input)) >= 2 and \
            _shape(owner.input)[-2:] == _shape(value)[-2:]:
        return owner.input
    return value


def _last_dim_reduction(value: SSAValue, kind: type[lt.ReductionOp]) -> lt.ReductionOp | None:
    owner = value.owner
    if isinstance(owner, kind) and owner.keepdim is not None and \
            tuple(owner.reduced_dims) == (len(_shape(owner.input)) - 1,):
        return owner
    return None


@dataclass
class _Match:
    """The ops of one attention, from the scores' matmul to the division, and what the
    attention op is made of."""

    ops: list[Operation]
    scores: lt.MatmulOp
    maxima: SSAValue | None = None
    scale: float = 1.0
    boolean_mask: SSAValue | None = None
    additive_mask: SSAValue | None = None


def _softmax_input(probabilities: SSAValue, match: _Match) -> SSAValue | None:
    """The scores whose softmax over the last dimension `probabilities` is."""
    divide = probabilities.owner
    if not isinstance(divide, lt.DivOp):
        return None
    weights, total = divide.lhs, divide.rhs
    row_sum = _last_dim_reduction(total, lt.ReduceSumOp)
    exp = weights.owner
    if row_sum is None or row_sum.input != weights or not isinstance(exp, lt.ExpOp):
        return None
    subtract = exp.input.owner
    if not isinstance(subtract, lt.SubOp):
        return None
    scores, maxima = subtract.lhs, subtract.rhs
    row_max = _last_dim_reduction(maxima, lt.ReduceMaxOp)
    if row_max is None or row_max.input != scores:
        return None
    match.ops += [divide, row_sum, exp, subtract, row_max]
    match.maxima = maxima
    return scores


def _unguarded(probabilities: SSAValue) -> tuple[SSAValue, list[Operation], SSAValue | None]:
    """The probabilities before `where(maxima == -inf, 0, p)` (rows masked whole made 0,
    as eager's attention makes them), the guard's ops, and the maxima it compares."""
    where = probabilities.owner
    compare = where.condition.owner if isinstance(where, lt.WhereOp) else None
    if not isinstance(compare, lt.CmpOp) or compare.predicate.data != "eq" or \
            splat_value(compare.rhs) != -math.inf or splat_value(where.lhs) != 0 or \
            where.rhs.type != probabilities.type:
        return probabilities, [], None
    return where.rhs, [where, compare], compare.lhs


def _unmasked(scores: SSAValue, match: _Match) -> SSAValue:
    """The scores before a mask: `where(mask, x, -inf)` or `x + mask`, where x leads
    back to the matmul; `scores` itself if there is no mask."""
    owner = scores.owner
    if isinstance(owner, lt.WhereOp) and splat_value(owner.rhs) == -math.inf \
            and _shape(owner.lhs) == _shape(scores):
        match.boolean_mask = owner.condition
    elif isinstance(owner, lt.AddOp):
        for chain, mask in ((owner.lhs, owner.rhs), (owner.rhs, owner.lhs)):
            if _shape(chain) == _shape(scores) and _scaled_matmul(chain) is not None:
                match.additive_mask = mask
                break
        else:
            return scores
    else:
        return scores
    match.ops.append(owner)
    return owner.lhs if match.boolean_mask is not None else chain


def _scaled_matmul(value: SSAValue) -> tuple[lt.MatmulOp, float, list[Operation]] | None:
    """The matmul that `value` is, through batch reshapes and scaling by splat
    constants; the product of the scales; the ops on the way, each read once."""
    scale, ops = 1.0, []
    while True:
        owner = value.owner
        if isinstance(owner, lt.MatmulOp):
            return owner, scale, ops
        if not value.has_one_use() and ops:
            return None
        if isinstance(owner, lt.ReshapeOp) and _batch_view(value) is not value:
            value = owner.input
        elif isinstance(owner, lt.MulOp | lt.DivOp) and owner.result.type == owner.lhs.type \
                and (factor := splat_value(owner.rhs)) not in (None, 0):
            scale = scale * factor if isinstance(owner, lt.MulOp) else scale / factor
            value = owner.lhs
        else:
            return None
        ops.append(owner)


def _unscaled_query(query: SSAValue, match: _Match) -> tuple[SSAValue, list[Operation]]:
    """The queries before a scaling by a splat constant that only the scores' matmul
    reads (through a batch reshape), which the attention's scale takes; the ops that
    go."""
    scaled = _batch_view(query)
    owner = scaled.owner
    if not isinstance(owner, lt.MulOp) or owner.result.type != owner.lhs.type or \
            not scaled.has_one_use() or (factor := splat_value(owner.rhs)) in (None, 0):
        return query, []
    match.scale *= factor
    return owner.lhs, [*([query.owner] if scaled is not query else []), owner]


def _in_batch(value: SSAValue, batch: tuple[int, ...], rewriter: PatternRewriter) -> SSAValue:
    """`value` ([..., rows, columns]) with the batch dimensions `batch`."""
    for candidate in (_batch_view(value), value):
        if _shape(candidate)[:-2] == batch:
            return candidate
    reshape = lt.ReshapeOp(value, TensorType(value.type.get_element_type(),
                                             [*batch, *_shape(value)[-2:]]))
    rewriter.insert(reshape)
    return reshape.result


def _additive(match: _Match, scores: SSAValue, rewriter: PatternRewriter) -> SSAValue | None:
    """The mask as the attention op takes it: additive, of the scores' rank, its last two
    dimensions the scores'."""
    mask = match.additive_mask
    element_type = scores.type.get_element_type()
    if match.boolean_mask is not None:
        scalar = TensorType(element_type, [])
        allowed, masked = lt.ConstantOp.splat(0.0, scalar), lt.ConstantOp.splat(-math.inf, scalar)
        where = lt.WhereOp(match.boolean_mask, allowed.result, masked.result)
        rewriter.insert([allowed, masked, where])
        mask = where.result
    if mask is None:
        return None
    shape, full = _shape(mask), _shape(scores)
    if len(shape) < len(full):
        shape = (1,) * (len(full) - len(shape)) + shape
        reshape = lt.ReshapeOp(mask, TensorType(element_type, shape))
        rewriter.insert(reshape)
        mask = reshape.result
    if shape[-2:] != full[-2:]:
        broadcast = lt.BroadcastOp(mask, TensorType(element_type, [*shape[:-2], *full[-2:]]))
        rewriter.insert(broadcast)
        mask = broadcast.result
    return mask


class AttentionPattern(RewritePattern):
    """`softmax(scale * (q @ kt) masked) @ v` to `litho_tensor.attention`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.MatmulOp, rewriter: PatternRewriter) -> None:
        match = _Match([], op)
        probabilities = _batch_view(op.lhs)
        unguarded, guard, guarded_maxima = _unguarded(probabilities)
        scores = _softmax_input(unguarded, match)
        if scores is None or not isinstance(scores.type.get_element_type(), Float32Type) \
                or (guard and guarded_maxima != match.maxima):
            return
        found = _scaled_matmul(_unmasked(scores, match))
        if found is None or (match.additive_mask is not None and
                             match.additive_mask.type.get_element_type() !=
                             scores.type.get_element_type()):
            return
        match.scores, match.scale, chain = found
        query, scaling = _unscaled_query(match.scores.lhs, match)
        dead = [op, *([op.lhs.owner] if probabilities is not op.lhs else []), *guard,
                *match.ops, *chain, match.scores, *scaling]  # read by nothing else, so they can go
        if any(use.operation not in dead for erased in dead[1:] for result in erased.results
               for use in result.uses) or any(
                _shape(value)[:-2] != _shape(product)[:-2] for value, product in
                ((match.scores.lhs, match.scores.result), (match.scores.rhs, match.scores.result),
                 (op.lhs, op.result), (op.rhs, op.result))):
            return
        batch = _shape(scores)[:-2]
        operands = (query, match.scores.rhs, op.rhs)
        query, key_t, value = (_in_batch(operand, batch, rewriter) for operand in operands)
        attention = lt.AttentionOp(query, key_t, value, _additive(match, scores, rewriter),
                                   match.scale, zero_masked_rows=bool(guard))
        rewriter.insert(attention)
        result = attention.result
        if result.type != op.result.type:
            reshape = lt.ReshapeOp(result, op.result.type)
            rewriter.insert(reshape)
            result = reshape.result
        rewriter.replace_all_uses_with(op.result, result)
        for erased in dead:
            rewriter.erase(erased)


@dataclass(frozen=True)
class LithoFuseAttentionPass(PatternPass):
    """Make scaled dot-product attention one `litho_tensor.attention` (L1 -> L1)."""

    name = "litho-fuse-attention"
    tolerance: ClassVar[Tolerance] = REASSOCIATE

    def patterns(self) -> list[RewritePattern]:
        return [AttentionPattern()]
