"""`litho_tensor.attention` to the six generics of convert-litho-tensor-to-linalg.

Each generic is marked with its role (`litho.attention`, `ATTENTION_ROLES`): the scores
`(q * scale) @ kt`, the row maxima of the masked scores, the weights `exp(s + mask -
max)` (0 in a row masked whole, where max is -inf), their row sums, `weights @ v`, and
that divided by the sums (0 / 0 in a row masked whole, or 0 with `zero_masked_rows`).
As generics they run anywhere (the interpreter, any target's loops); the marks keep
elementwise fusion out of them and make them one kernel, which the CPU target's
litho-attention runs as flash attention.

Loops are batch..., i (the query's row), then for the scores d (reduced) and j (the
key), for the row reductions and the weights j, for the weighted sum j (reduced) and e
(the value's column).
"""

from __future__ import annotations

import math

from litho.dialects import tensor as lt
from litho.dialects.attributes import ATTENTION_ATTRIBUTE
from litho.lowering.graph.convert_litho_tensor_to_linalg import (
    MULTIPLY_ADD,
    REORDERABLE,
    build_generic,
    check_supported,
    fill,
    scalar_constant,
)
from xdsl.dialects import arith, tensor
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern


def attention_maps(batch: int, mask_shape: tuple[int, ...] | None
                   ) -> dict[str, list[AffineMap]]:
    """The indexing maps of each role's generic (inputs, then the output), for `batch`
    batch dimensions and a mask of `mask_shape`."""
    b = [AffineExpr.dimension(d) for d in range(batch)]
    i, x, y = (AffineExpr.dimension(batch + n) for n in range(3))

    def loops(count: int, *results: AffineExpr) -> AffineMap:
        return AffineMap(batch + count, 0, tuple(results))

    masks = []
    if mask_shape is not None:
        masks = [loops(2, *(AffineExpr.constant(0) if size == 1 else dim
                            for size, dim in zip(mask_shape[:-2], b, strict=True)), i, x)]
    rows, row = loops(2, *b, i, x), loops(2, *b, i)
    return {
        "scores": [loops(3, *b, i, x), loops(3, *b, x, y), loops(3, *b, i, y)],
        "maxima": [rows, *masks, row],
        "weights": [rows, *masks, row, rows],
        "sums": [rows, row],
        "values": [loops(3, *b, i, x), loops(3, *b, x, y), loops(3, *b, i, y)],
        "normalize": [rows, row, rows],
    }


def _masked(args, has_mask: bool) -> SSAValue:
    """The score plus the mask's element, if there is a mask."""
    return arith.AddfOp(args[0], args[1]).result if has_mask else args[0]


def _finite(maximum: SSAValue) -> SSAValue:
    """What the weights subtract: the row's max, or 0 in a row masked whole (its weights
    are then 0, not exp(-inf + inf), NaN)."""
    masked_whole = arith.CmpfOp(maximum, scalar_constant(-math.inf, maximum.type), "oeq")
    return arith.SelectOp(masked_whole, scalar_constant(0.0, maximum.type), maximum).result


def _divided(total: SSAValue, weights_sum: SSAValue, zero_rows: bool) -> SSAValue:
    """The weighted sum divided by the weights' sum: 0 / 0 (NaN) in a row masked whole,
    or 0 there with `zero_rows`."""
    quotient = arith.DivfOp(total, weights_sum).result
    if not zero_rows:
        return quotient
    zero = scalar_constant(0.0, total.type)
    return arith.SelectOp(arith.CmpfOp(weights_sum, zero, "oeq"), zero, quotient).result


class AttentionPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.AttentionOp, rewriter: PatternRewriter) -> None:
        check_supported(op)
        *batch, m, _ = op.query.type.get_shape()
        n, e = op.value.type.get_shape()[-2:]
        element = op.query.type.get_element_type()
        has_mask = op.mask is not None
        maps = attention_maps(len(batch), tuple(op.mask.type.get_shape()) if has_mask else None)
        scale = op.scale.value.data
        parallel, reduction = "parallel", "reduction"
        loops = [parallel] * len(batch)
        masks = [op.mask] if has_mask else []

        def generic(role: str, inputs: list[SSAValue], init: SSAValue, kinds: list[str],
                    body) -> SSAValue:
            made = build_generic(inputs, maps[role][:-1], init, maps[role][-1],
                                 [*loops, *kinds], body)
            made.attributes[ATTENTION_ATTRIBUTE] = StringAttr(role)
            rewriter.insert(made)
            return made.res[0]

        def empty(shape: list[int]) -> SSAValue:
            made = tensor.EmptyOp([], TensorType(element, shape))
            rewriter.insert(made)
            return made.tensor

        def scaled_product(args) -> SSAValue:
            query = args[0] if scale == 1 else arith.MulfOp(
                args[0], scalar_constant(scale, element)).result
            product = arith.MulfOp(query, args[1], flags=MULTIPLY_ADD).result
            return arith.AddfOp(args[2], product, flags=MULTIPLY_ADD).result

        rows, columns = [*batch, m], [*batch, m, n]
        scores = generic("scores", [op.query, op.key_t], fill(rewriter, TensorType(
            element, columns), 0.0), [parallel, reduction, parallel], scaled_product)
        maxima = generic("maxima", [scores, *masks], fill(rewriter, TensorType(
            element, rows), -math.inf), [parallel, reduction], lambda args: arith.MaximumfOp(
            _masked(args, has_mask), args[-1], flags=REORDERABLE).result)
        weights = generic("weights", [scores, *masks, maxima], empty(columns),
                          [parallel, parallel], lambda args: xmath.ExpOp(arith.SubfOp(
                              _masked(args, has_mask), _finite(args[-2])).result).result)
        sums = generic("sums", [weights], fill(rewriter, TensorType(element, rows), 0.0),
                       [parallel, reduction], lambda args: arith.AddfOp(
                           args[0], args[1], flags=REORDERABLE).result)
        values = generic("values", [weights, op.value], fill(rewriter, TensorType(
            element, [*batch, m, e]), 0.0), [parallel, reduction, parallel],
            lambda args: arith.AddfOp(args[2], arith.MulfOp(
                args[0], args[1], flags=MULTIPLY_ADD).result, flags=MULTIPLY_ADD).result)
        zero_rows = op.zero_masked_rows is not None
        normalized = generic("normalize", [values, sums], empty([*batch, m, e]),
                             [parallel, parallel], lambda args: _divided(*args[:2], zero_rows))
        rewriter.replace_all_uses_with(op.result, normalized)
        rewriter.erase(op)

