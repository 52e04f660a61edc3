"""litho-canonicalize: local simplifications of `litho_tensor` graphs (L1 -> L1).

Input and output: `litho_tensor` programs. Each pattern removes work whose result is
known without doing it; none changes a value, so the pass is exact.

| pattern                  | rewrites                                         |
| ------------------------ | ------------------------------------------------ |
| `MulByOnePattern`        | `x * 1`, `1 * x` to `x`                          |
| `AddZeroPattern`         | `x + 0`, `0 + x` to `x`                          |
| `IdentityShapePattern`   | a reshape, broadcast or permute that changes nothing to its input |
| `PermutePermutePattern`  | `permute(permute(x, p), q)` to `permute(x, p∘q)` |
| `ReshapeReshapePattern`  | `reshape(reshape(x))` to `reshape(x)`            |

The splat constant must not broadcast `x` (the result type must be `x`'s type).

```mlir
%one = litho_tensor.constant dense<1.0> : tensor<f32>
%y = litho_tensor.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// becomes: uses of %y use %x
```
"""

from __future__ import annotations

from dataclasses import dataclass

from litho.dialects import tensor as lt
from litho.dialects.tensor.interpreter import dense_to_numpy
from litho.lowering.common.pattern_pass import PatternPass
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern


def splat_value(value: SSAValue) -> float | None:
    """The element of a splat `litho_tensor.constant`, or None if `value` is not one."""
    if not isinstance(value.owner, lt.ConstantOp):
        return None
    elements = dense_to_numpy(value.owner.value)
    if elements.size == 0 or (elements != elements.flat[0]).any():
        return None
    return elements.flat[0].item()


def _fold_identity_operand(
    op: lt.ElementwiseBinaryOp, identity: float, rewriter: PatternRewriter
) -> None:
    """Replace `op` by its operand `x` when the other operand is a splat of `identity`."""
    for constant, other in ((op.rhs, op.lhs), (op.lhs, op.rhs)):
        if splat_value(constant) == identity and other.type == op.result.type:
            rewriter.replace(op, [], [other])
            return


class MulByOnePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.MulOp, rewriter: PatternRewriter) -> None:
        _fold_identity_operand(op, 1, rewriter)


class AddZeroPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.AddOp, rewriter: PatternRewriter) -> None:
        _fold_identity_operand(op, 0, rewriter)


class IdentityShapePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: lt.ReshapeOp | lt.BroadcastOp | lt.PermuteOp, rewriter: PatternRewriter
    ) -> None:
        if op.input.type != op.result.type:
            return
        if isinstance(op, lt.PermuteOp) and op.dims.get_values() != tuple(
            range(len(op.dims.get_values()))
        ):
            return
        rewriter.replace(op, [], [op.input])


class PermutePermutePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.PermuteOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if not isinstance(inner, lt.PermuteOp):
            return
        inner_dims = inner.dims.get_values()
        dims = [inner_dims[dim] for dim in op.dims.get_values()]
        rewriter.replace(op, lt.PermuteOp(inner.input, dims))


class ReshapeReshapePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ReshapeOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if not isinstance(inner, lt.ReshapeOp):
            return
        rewriter.replace(op, lt.ReshapeOp(inner.input, op.result.type))


@dataclass(frozen=True)
class LithoCanonicalizePass(PatternPass):
    """Simplify `litho_tensor` graphs with exact local rewrites (L1 -> L1)."""

    name = "litho-canonicalize"

    def patterns(self) -> list[RewritePattern]:
        return [
            MulByOnePattern(),
            AddZeroPattern(),
            IdentityShapePattern(),
            PermutePermutePattern(),
            ReshapeReshapePattern(),
        ]
