"""`litho_tensor.attention`: scaled dot-product attention as one op.

litho-fuse-attention makes it from the matmuls, mask and softmax that attention
decomposes into, so that later levels can run it as one kernel that never holds the whole
score matrix (online softmax).
"""

from __future__ import annotations

from litho.dialects.tensor.base import FloatTensor, check_result_shape, check_same_element_type
from xdsl.dialects.builtin import Float64Type, FloatAttr, TensorType, UnitAttr
from xdsl.ir import SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


@irdl_op_definition
class AttentionOp(IRDLOperation):
    """`softmax((query * scale) @ key_t + mask) @ value` over the last dimension, for
    `query [..., M, D]`, `key_t [..., D, N]` (the keys transposed), `value [..., N, E]`
    with the same batch dimensions, and an optional additive `mask [..., M, N]` whose
    batch dimensions are each 1 or the batch's (a boolean mask is 0 where it allows and
    -inf where it masks, as eager's attention makes it).

    Its value is defined as flash attention computes it: with `s` the masked scores,
    `m` their row maxima and `e = exp(s - m)`, the result is `(e @ value) / sum(e)`,
    the division after the product. A row whose scores are all -inf is NaN, as a softmax
    gives, or 0 with `zero_masked_rows`, as eager's `scaled_dot_product_attention` gives.

    ```mlir
    %o = litho_tensor.attention %q, %kt, %v mask %m {scale = 0.125 : f64}
        : (tensor<4x9x16xf32>, tensor<4x16x9xf32>, tensor<4x9x16xf32>, tensor<1x9x9xf32>)
        -> tensor<4x9x16xf32>
    ```
    """

    name = "litho_tensor.attention"

    query = operand_def(FloatTensor)
    key_t = operand_def(FloatTensor)
    value = operand_def(FloatTensor)
    mask = opt_operand_def(FloatTensor)
    scale = prop_def(FloatAttr[Float64Type])
    zero_masked_rows = opt_prop_def(UnitAttr)
    result = result_def(FloatTensor)

    traits = traits_def(Pure())
    irdl_options = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())

    assembly_format = (
        "$query `,` $key_t `,` $value (`mask` $mask^)? attr-dict `:` "
        "`(` type($query) `,` type($key_t) `,` type($value) (`,` type($mask)^)? `)` "
        "`->` type($result)"
    )

    def __init__(self, query: SSAValue, key_t: SSAValue, value: SSAValue,
                 mask: SSAValue | None, scale: float, zero_masked_rows: bool = False):
        shape = [*query.type.get_shape()[:-1], value.type.get_shape()[-1]]
        super().__init__(
            operands=[query, key_t, value, [mask] if mask is not None else []],
            result_types=[TensorType(query.type.get_element_type(), shape)],
            properties={"scale": FloatAttr(scale, Float64Type()),
                        "zero_masked_rows": UnitAttr() if zero_masked_rows else None},
        )

    def verify_(self) -> None:
        operands = [self.query, self.key_t, self.value]
        if self.mask is not None:
            operands.append(self.mask)
        check_same_element_type(self, *operands, self.result)
        shapes = [tuple(value.type.get_shape()) for value in operands]
        if any(len(shape) < 2 or len(shape) != len(shapes[0]) for shape in shapes):
            raise VerifyException(
                f"{self.name}: operands must have one rank of at least 2, got {shapes}")
        (*batch, m, d), (*key_batch, key_d, n), (*value_batch, value_n, e) = shapes[:3]
        if key_batch != batch or value_batch != batch or key_d != d or value_n != n:
            raise VerifyException(
                f"{self.name}: query {shapes[0]}, key_t {shapes[1]} and value {shapes[2]} "
                "do not agree as [..., M, D], [..., D, N] and [..., N, E]")
        if self.mask is not None:
            *mask_batch, mask_m, mask_n = shapes[3]
            if (mask_m, mask_n) != (m, n) or any(
                    size not in (1, full) for size, full in zip(mask_batch, batch, strict=True)):
                raise VerifyException(
                    f"{self.name}: mask {shapes[3]} must be [..., {m}, {n}] with each batch "
                    f"dimension 1 or that of {tuple(batch)}")
        check_result_shape(self, self.result, [*batch, m, e])
