"""`litho_tensor` ops on whole tensors: casts, reshapes, permutes, matmul, reductions."""

from __future__ import annotations

from collections.abc import Sequence

from litho.dialects.tensor.base import (
    FloatTensor,
    LithoTensor,
    broadcast_shapes,
    check_result_shape,
    check_same_element_type,
    normalize_dims,
)
from xdsl.dialects.builtin import (
    DenseArrayBase,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


class ShapeOp(IRDLOperation):
    """Base of ops from one tensor to another whose result type is written out."""

    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])


@irdl_op_definition
class CastOp(ShapeOp):
    """Elementwise conversion to another element type, as `Tensor.to(dtype)` does.

    Float to integer truncates toward zero; anything to i1 is `x != 0`.
    """

    name = "litho_tensor.cast"

    def verify_(self) -> None:
        check_result_shape(self, self.result, self.input.type.get_shape())


@irdl_op_definition
class BroadcastOp(ShapeOp):
    """Broadcast to a larger shape by torch's rules, as `Tensor.expand` does."""

    name = "litho_tensor.broadcast"

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        target = self.result.type.get_shape()
        if len(self.input.type.get_shape()) > len(target):
            raise VerifyException(f"{self.name}: result rank is below the input rank")
        shape = broadcast_shapes(self.name, self.input.type.get_shape(), target)
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class ReshapeOp(ShapeOp):
    """The same elements in row-major order under another shape, as `Tensor.reshape`."""

    name = "litho_tensor.reshape"

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        if self.input.type.element_count() != self.result.type.element_count():
            raise VerifyException(
                f"{self.name}: cannot reshape {tuple(self.input.type.get_shape())} "
                f"({self.input.type.element_count()} elements) to "
                f"{tuple(self.result.type.get_shape())} "
                f"({self.result.type.element_count()} elements)"
            )


@irdl_op_definition
class PermuteOp(IRDLOperation):
    """Reorders dimensions: result dim `i` is input dim `dims[i]`, as `Tensor.permute`.

    ```mlir
    %t = litho_tensor.permute %x {dims = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
    """

    name = "litho_tensor.permute"

    dims = prop_def(DenseArrayBase.constr(i64))
    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, dims: Sequence[int]):
        shape = input.type.get_shape()
        result_type = TensorType(input.type.get_element_type(), [shape[d] for d in dims])
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={"dims": DenseArrayBase.from_list(i64, dims)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        shape = self.input.type.get_shape()
        dims = self.dims.get_values()
        if sorted(dims) != list(range(len(shape))):
            raise VerifyException(
                f"{self.name}: dims {dims} are not a permutation of 0..{len(shape) - 1}"
            )
        check_result_shape(self, self.result, [shape[d] for d in dims])


def matmul_shape(op_name: str, lhs: Sequence[int], rhs: Sequence[int]) -> tuple[int, ...]:
    """Result shape of a batched matmul of `[..., M, K]` by `[..., K, N]`."""
    if len(lhs) < 2 or len(rhs) < 2:
        raise VerifyException(f"{op_name}: operands must have rank 2 or more")
    if lhs[-1] != rhs[-2]:
        raise VerifyException(
            f"{op_name}: contracted sizes differ: lhs {tuple(lhs)} has K={lhs[-1]}, "
            f"rhs {tuple(rhs)} has K={rhs[-2]}"
        )
    batch = broadcast_shapes(op_name, lhs[:-2], rhs[:-2])
    return (*batch, lhs[-2], rhs[-1])


@irdl_op_definition
class MatmulOp(IRDLOperation):
    """Matrix product of `[..., M, K]` and `[..., K, N]` with broadcast batch dims.

    ```mlir
    %y = litho_tensor.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
    """

    name = "litho_tensor.matmul"

    lhs = operand_def(FloatTensor)
    rhs = operand_def(FloatTensor)
    result = result_def(FloatTensor)

    traits = traits_def(Pure())

    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        shape = matmul_shape(self.name, lhs.type.get_shape(), rhs.type.get_shape())
        result_type = TensorType(lhs.type.get_element_type(), shape)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        check_same_element_type(self, self.lhs, self.rhs, self.result)
        shape = matmul_shape(self.name, self.lhs.type.get_shape(), self.rhs.type.get_shape())
        check_result_shape(self, self.result, shape)


def reduced_shape(shape: Sequence[int], dims: Sequence[int], keepdim: bool) -> list[int]:
    """The shape left after reducing `dims` (already normalized) of `shape`."""
    if keepdim:
        return [1 if i in dims else size for i, size in enumerate(shape)]
    return [size for i, size in enumerate(shape) if i not in dims]


class ReductionOp(IRDLOperation):
    """Base of reductions over `dims`, which keep them as size 1 when `keepdim` is set."""

    dims = prop_def(DenseArrayBase.constr(i64))
    keepdim = opt_prop_def(UnitAttr)
    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, dims: Sequence[int], keepdim: bool = False):
        shape = input.type.get_shape()
        normalized = normalize_dims(self.name, dims, len(shape))
        result_shape = reduced_shape(shape, normalized, keepdim)
        super().__init__(
            operands=[input],
            result_types=[TensorType(input.type.get_element_type(), result_shape)],
            properties={
                "dims": DenseArrayBase.from_list(i64, normalized),
                "keepdim": UnitAttr() if keepdim else None,
            },
        )

    @property
    def reduced_dims(self) -> tuple[int, ...]:
        return normalize_dims(self.name, self.dims.get_values(), self.input.type.get_num_dims())

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        shape = reduced_shape(
            self.input.type.get_shape(), self.reduced_dims, self.keepdim is not None
        )
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class ReduceSumOp(ReductionOp):
    """Sum over `dims`.

    ```mlir
    %s = litho_tensor.reduce_sum %x {dims = array<i64: 1>, keepdim}
        : tensor<2x3xf32> -> tensor<2x1xf32>
    ```
    """

    name = "litho_tensor.reduce_sum"


@irdl_op_definition
class ReduceMeanOp(ReductionOp):
    """Arithmetic mean over `dims` (float tensors)."""

    name = "litho_tensor.reduce_mean"


@irdl_op_definition
class ReduceMaxOp(ReductionOp):
    """Maximum over `dims`."""

    name = "litho_tensor.reduce_max"


@irdl_op_definition
class ReduceMinOp(ReductionOp):
    """Minimum over `dims`."""

    name = "litho_tensor.reduce_min"
