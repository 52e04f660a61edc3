"""`litho_tensor` window ops of CNNs: `pad`, `conv` and `pool`.

```mlir
%p = litho_tensor.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>,
                          value = 0.0 : f64} : tensor<1x3x8x8xf32> -> tensor<1x3x10x10xf32>
%y = litho_tensor.conv %p, %w {stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
                               groups = 1 : i64}
    : (tensor<1x3x10x10xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
```
"""

from __future__ import annotations

from collections.abc import Sequence

from litho.dialects.tensor.base import (
    FloatTensor,
    LithoTensor,
    check_result_shape,
    check_same_element_type,
)
from litho.dialects.tensor.movement import MovementOp, int_array
from xdsl.dialects.builtin import (
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    f64,
    i64,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
)
from xdsl.utils.exceptions import VerifyException

POOL_KINDS = ("max", "sum")


@irdl_op_definition
class PadOp(MovementOp):
    """`low[d]` and `high[d]` elements of `value` before and after each dim `d`."""

    name = "litho_tensor.pad"

    low = prop_def(DenseArrayBase.constr(i64))
    high = prop_def(DenseArrayBase.constr(i64))
    value = prop_def(FloatAttr)
    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(
        self, input: SSAValue, low: Sequence[int], high: Sequence[int], value: float
    ):
        shape = [
            size + before + after
            for size, before, after in zip(input.type.get_shape(), low, high, strict=True)
        ]
        super().__init__(
            operands=[input],
            result_types=[TensorType(input.type.get_element_type(), shape)],
            properties={
                "low": int_array(low),
                "high": int_array(high),
                "value": FloatAttr(float(value), f64),
            },
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        low, high = self.low.get_values(), self.high.get_values()
        shape = self.input.type.get_shape()
        if len(low) != len(shape) or len(high) != len(shape) or min((*low, *high), default=0) < 0:
            raise VerifyException(
                f"{self.name}: low {low} and high {high} must be one size >= 0 per dim of "
                f"{tuple(shape)}"
            )
        padded = [size + a + b for size, a, b in zip(shape, low, high, strict=True)]
        check_result_shape(self, self.result, padded)


def window_output_size(size: int, window: int, stride: int, dilation: int) -> int:
    """Output positions of a `window` sliding by `stride` over `size` (no padding)."""
    return (size - dilation * (window - 1) - 1) // stride + 1


def _check_at_least_one(op_name: str, sizes: dict[str, Sequence[int]]) -> None:
    """Raise naming the first of `sizes` (window, stride, dilation) with an entry below 1.

    A zero stride would divide by zero and a zero window or dilation makes no window.
    """
    for name, values in sizes.items():
        if min(values, default=1) < 1:
            raise VerifyException(
                f"{op_name}: {name} must be at least 1 in every dim, got {tuple(values)}"
            )


def _window_shape(
    op_name: str,
    input_shape: Sequence[int],
    window: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    window_name: str = "window",
) -> list[int]:
    spatial = input_shape[len(input_shape) - len(window) :]
    if not len(window) == len(stride) == len(dilation) or len(spatial) != len(window):
        raise VerifyException(f"{op_name}: window, stride and dilation ranks differ")
    _check_at_least_one(
        op_name, {window_name: window, "stride": stride, "dilation": dilation}
    )
    sizes = [
        window_output_size(*arguments)
        for arguments in zip(spatial, window, stride, dilation, strict=True)
    ]
    if min(sizes, default=1) < 1:
        raise VerifyException(
            f"{op_name}: window {tuple(window)} with stride {tuple(stride)} and dilation "
            f"{tuple(dilation)} does not fit in {tuple(spatial)}"
        )
    return sizes


@irdl_op_definition
class ConvOp(MovementOp):
    """Convolution (cross-correlation) of `[N, C, *spatial]` with `[O, C/groups, *kernel]`.

    No padding (a `pad` comes first) and no bias (an `add` comes after).
    """

    name = "litho_tensor.conv"

    stride = prop_def(DenseArrayBase.constr(i64))
    dilation = prop_def(DenseArrayBase.constr(i64))
    groups = prop_def(IntegerAttr)
    input = operand_def(FloatTensor)
    weight = operand_def(FloatTensor)
    result = result_def(FloatTensor)

    assembly_format = (
        "$input `,` $weight attr-dict `:` `(` type($input) `,` type($weight) `)` "
        "`->` type($result)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        stride: Sequence[int],
        dilation: Sequence[int],
        groups: int,
    ):
        kernel = weight.type.get_shape()[2:]
        input_shape = input.type.get_shape()
        spatial = _window_shape(
            self.name, input_shape, kernel, stride, dilation, "kernel"
        )
        shape = [input_shape[0], weight.type.get_shape()[0], *spatial]
        super().__init__(
            operands=[input, weight],
            result_types=[TensorType(input.type.get_element_type(), shape)],
            properties={
                "stride": int_array(stride),
                "dilation": int_array(dilation),
                "groups": IntegerAttr(groups, i64),
            },
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.weight, self.result)
        input_shape, weight_shape = self.input.type.get_shape(), self.weight.type.get_shape()
        groups = self.groups.value.data
        if (
            len(input_shape) != len(weight_shape)
            or len(input_shape) < 3
            or groups < 1
            or input_shape[1] != weight_shape[1] * groups
            or weight_shape[0] % groups
        ):
            raise VerifyException(
                f"{self.name}: input {tuple(input_shape)} and weight {tuple(weight_shape)} "
                f"do not make a convolution with {groups} group(s)"
            )
        spatial = _window_shape(
            self.name,
            input_shape,
            weight_shape[2:],
            self.stride.get_values(),
            self.dilation.get_values(),
            "kernel",
        )
        check_result_shape(self, self.result, [input_shape[0], weight_shape[0], *spatial])


@irdl_op_definition
class PoolOp(MovementOp):
    """Max or sum of each window over the trailing `len(window)` dims (no padding)."""

    name = "litho_tensor.pool"

    kind = prop_def(StringAttr)
    window = prop_def(DenseArrayBase.constr(i64))
    stride = prop_def(DenseArrayBase.constr(i64))
    dilation = prop_def(DenseArrayBase.constr(i64))
    input = operand_def(FloatTensor)
    result = result_def(FloatTensor)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(
        self,
        input: SSAValue,
        kind: str,
        window: Sequence[int],
        stride: Sequence[int],
        dilation: Sequence[int],
    ):
        input_shape = input.type.get_shape()
        spatial = _window_shape(self.name, input_shape, window, stride, dilation)
        shape = [*input_shape[: len(input_shape) - len(window)], *spatial]
        super().__init__(
            operands=[input],
            result_types=[TensorType(input.type.get_element_type(), shape)],
            properties={
                "kind": StringAttr(kind),
                "window": int_array(window),
                "stride": int_array(stride),
                "dilation": int_array(dilation),
            },
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        if self.kind.data not in POOL_KINDS:
            raise VerifyException(f"{self.name}: kind must be one of {POOL_KINDS}")
        input_shape = self.input.type.get_shape()
        window = self.window.get_values()
        spatial = _window_shape(
            self.name, input_shape, window, self.stride.get_values(), self.dilation.get_values()
        )
        check_result_shape(
            self, self.result, [*input_shape[: len(input_shape) - len(window)], *spatial]
        )
