"""
The `litho_tensor` dialect: litho's graph level (L1).

Value-semantics ops on statically shaped builtin tensors, close to core ATen. Binary
elementwise ops, `cmp`, `where` and `matmul` broadcast their operands the way numpy and
torch do (shapes aligned on the right, size-1 dims stretched). Model parameters are
function arguments, so IR text stays readable at any model size.

```mlir
func.func @forward(%w: tensor<32x16xf32>, %x: tensor<3x16xf32>) -> tensor<3x32xf32> {
  %wt = litho_tensor.permute %w {dims = array<i64: 1, 0>} : tensor<32x16xf32> -> tensor<16x32xf32>
  %y = litho_tensor.matmul %x, %wt : (tensor<3x16xf32>, tensor<16x32xf32>) -> tensor<3x32xf32>
  %r = litho_tensor.relu %y : tensor<3x32xf32>
  func.return %r : tensor<3x32xf32>
}
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IntegerType,
    StringAttr,
    TensorType,
    UnitAttr,
    i1,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

ELEMENT_TYPES = Float32Type | Float64Type | IntegerType
LithoTensor = TensorType.constr(ELEMENT_TYPES)
FloatTensor = TensorType.constr(Float32Type | Float64Type)
BoolTensor = TensorType.constr(i1)

COMPARISON_PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge")
GELU_APPROXIMATIONS = ("none", "tanh")


def broadcast_shapes(op_name: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The numpy/torch broadcast of `shapes`; raises VerifyException naming `op_name`."""
    rank = max(len(shape) for shape in shapes)
    padded = [(1,) * (rank - len(shape)) + tuple(shape) for shape in shapes]
    result: list[int] = []
    for dim_sizes in zip(*padded, strict=True):
        sizes = {size for size in dim_sizes if size != 1}
        if len(sizes) > 1:
            listed = " and ".join(str(tuple(shape)) for shape in shapes)
            raise VerifyException(f"{op_name}: operand shapes {listed} do not broadcast")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def check_result_shape(op: IRDLOperation, result: SSAValue, expected: Sequence[int]) -> None:
    assert isinstance(result.type, TensorType)
    if tuple(result.type.get_shape()) != tuple(expected):
        raise VerifyException(
            f"{op.name}: result shape {tuple(result.type.get_shape())} should be "
            f"{tuple(expected)}"
        )


def check_same_element_type(op: IRDLOperation, *values: SSAValue) -> None:
    element_types = [value.type.get_element_type() for value in values]  # type: ignore
    if any(element_type != element_types[0] for element_type in element_types):
        listed = ", ".join(str(element_type) for element_type in element_types)
        raise VerifyException(f"{op.name}: operand element types differ ({listed})")


def normalize_dims(op_name: str, dims: Sequence[int], rank: int) -> tuple[int, ...]:
    """Dims with negative values made positive; raises VerifyException if out of range."""
    normalized = []
    for dim in dims:
        if not -rank <= dim < max(rank, 1):
            raise VerifyException(f"{op_name}: dim {dim} is out of range for rank {rank}")
        normalized.append(dim % rank if rank else 0)
    if len(set(normalized)) != len(normalized):
        raise VerifyException(f"{op_name}: dims {tuple(dims)} repeat a dimension")
    return tuple(normalized)


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A tensor constant. Model weights are function arguments, not constants.

    ```mlir
    %c = litho_tensor.constant dense<1.000000e+00> : tensor<4xf32>
    ```
    """

    name = "litho_tensor.constant"

    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(LithoTensor)

    traits = traits_def(ConstantLike(), Pure())

    def __init__(self, value: DenseIntOrFPElementsAttr):
        super().__init__(properties={"value": value}, result_types=[value.type])

    @classmethod
    def splat(cls, value: float | int | bool, result_type: TensorType) -> ConstantOp:
        """A constant of `result_type` with every element equal to `value`."""
        element_type = result_type.get_element_type()
        scalar = float(value) if isinstance(element_type, AnyFloat) else int(value)
        return cls(DenseIntOrFPElementsAttr.from_list(result_type, [scalar]))

    def verify_(self) -> None:
        if self.value.type != self.result.type:
            raise VerifyException(
                f"{self.name}: value type {self.value.type} differs from result type "
                f"{self.result.type}"
            )

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error("litho_tensor.constant expects a dense elements attribute")
        op = cls(value)
        op.attributes |= parser.parse_optional_attr_dict()
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes)


class ElementwiseBinaryOp(IRDLOperation):
    """Base of binary elementwise ops with broadcasting; result has the operands' type."""

    lhs = operand_def(LithoTensor)
    rhs = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())

    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        shape = broadcast_shapes(self.name, lhs.type.get_shape(), rhs.type.get_shape())
        element_type = lhs.type.get_element_type()
        super().__init__(
            operands=[lhs, rhs], result_types=[TensorType(element_type, shape)]
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.lhs, self.rhs, self.result)
        shape = broadcast_shapes(
            self.name, self.lhs.type.get_shape(), self.rhs.type.get_shape()
        )
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class AddOp(ElementwiseBinaryOp):
    """Elementwise `lhs + rhs`."""

    name = "litho_tensor.add"


@irdl_op_definition
class SubOp(ElementwiseBinaryOp):
    """Elementwise `lhs - rhs`."""

    name = "litho_tensor.sub"


@irdl_op_definition
class MulOp(ElementwiseBinaryOp):
    """Elementwise `lhs * rhs`."""

    name = "litho_tensor.mul"


@irdl_op_definition
class DivOp(ElementwiseBinaryOp):
    """Elementwise true division `lhs / rhs` (float tensors only)."""

    name = "litho_tensor.div"

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(self.lhs.type.get_element_type(), AnyFloat):
            raise VerifyException(f"{self.name}: operands must be float tensors")


@irdl_op_definition
class MaxOp(ElementwiseBinaryOp):
    """Elementwise maximum; NaN in either operand gives NaN, as torch.maximum does."""

    name = "litho_tensor.max"


@irdl_op_definition
class MinOp(ElementwiseBinaryOp):
    """Elementwise minimum; NaN in either operand gives NaN, as torch.minimum does."""

    name = "litho_tensor.min"


@irdl_op_definition
class PowOp(ElementwiseBinaryOp):
    """Elementwise `lhs ** rhs` (float tensors only)."""

    name = "litho_tensor.pow"

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(self.lhs.type.get_element_type(), AnyFloat):
            raise VerifyException(f"{self.name}: operands must be float tensors")


ROUNDING_MODES = ("floor", "trunc")


@irdl_op_definition
class IntegerDivOp(IRDLOperation):
    """Elementwise integer division with broadcasting, rounded toward -inf
    (`rounding = "floor"`, Python's `//`) or toward zero (`"trunc"`).

    A zero divisor gives the dividend (eager raises there; importers divide only by
    nonzero constants), and the most negative integer divided by -1 wraps to itself, as
    its negation does.

    ```mlir
    %q = litho_tensor.int_div %a, %b {rounding = "floor"}
        : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
    ```
    """

    name = "litho_tensor.int_div"

    rounding = prop_def(StringAttr)
    lhs = operand_def(LithoTensor)
    rhs = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)

    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, rounding: str):
        shape = broadcast_shapes(self.name, lhs.type.get_shape(), rhs.type.get_shape())
        super().__init__(
            operands=[lhs, rhs],
            result_types=[TensorType(lhs.type.get_element_type(), shape)],
            properties={"rounding": StringAttr(rounding)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.lhs, self.rhs, self.result)
        element_type = self.lhs.type.get_element_type()
        if not isinstance(element_type, IntegerType) or element_type == i1:
            raise VerifyException(
                f"{self.name}: operands must be integer tensors other than i1, not {element_type}"
            )
        if self.rounding.data not in ROUNDING_MODES:
            raise VerifyException(
                f"{self.name}: rounding must be one of {ROUNDING_MODES}, "
                f"not {self.rounding.data!r}"
            )
        shape = broadcast_shapes(
            self.name, self.lhs.type.get_shape(), self.rhs.type.get_shape()
        )
        check_result_shape(self, self.result, shape)


class BitwiseOp(ElementwiseBinaryOp):
    """Base of bitwise ops on integer tensors; on i1 they are the logical ops."""

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(self.lhs.type.get_element_type(), IntegerType):
            raise VerifyException(f"{self.name}: operands must be integer or i1 tensors")


@irdl_op_definition
class AndOp(BitwiseOp):
    """Elementwise bitwise and."""

    name = "litho_tensor.and"


@irdl_op_definition
class OrOp(BitwiseOp):
    """Elementwise bitwise or."""

    name = "litho_tensor.or"


@irdl_op_definition
class XorOp(BitwiseOp):
    """Elementwise bitwise exclusive or."""

    name = "litho_tensor.xor"


class ElementwiseUnaryOp(IRDLOperation):
    """Base of unary elementwise ops on float tensors; the result has the input's type."""

    T: ClassVar = VarConstraint("T", FloatTensor)

    input = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[input.type])


@irdl_op_definition
class ExpOp(ElementwiseUnaryOp):
    """Elementwise `e ** x`."""

    name = "litho_tensor.exp"


@irdl_op_definition
class LogOp(ElementwiseUnaryOp):
    """Elementwise natural logarithm."""

    name = "litho_tensor.log"


@irdl_op_definition
class TanhOp(ElementwiseUnaryOp):
    """Elementwise hyperbolic tangent."""

    name = "litho_tensor.tanh"


@irdl_op_definition
class SqrtOp(ElementwiseUnaryOp):
    """Elementwise square root."""

    name = "litho_tensor.sqrt"


@irdl_op_definition
class RsqrtOp(ElementwiseUnaryOp):
    """Elementwise `1 / sqrt(x)`."""

    name = "litho_tensor.rsqrt"


@irdl_op_definition
class CosOp(ElementwiseUnaryOp):
    """Elementwise cosine."""

    name = "litho_tensor.cos"


@irdl_op_definition
class SinOp(ElementwiseUnaryOp):
    """Elementwise sine."""

    name = "litho_tensor.sin"


@irdl_op_definition
class ErfOp(ElementwiseUnaryOp):
    """Elementwise Gauss error function."""

    name = "litho_tensor.erf"


@irdl_op_definition
class SigmoidOp(ElementwiseUnaryOp):
    """Elementwise `1 / (1 + exp(-x))`."""

    name = "litho_tensor.sigmoid"


@irdl_op_definition
class ReciprocalOp(ElementwiseUnaryOp):
    """Elementwise `1 / x`."""

    name = "litho_tensor.reciprocal"


class NumericUnaryOp(IRDLOperation):
    """Base of unary elementwise ops on float or integer tensors (not i1); the result has
    the input's type."""

    T: ClassVar = VarConstraint("T", LithoTensor)

    input = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[input.type])

    def verify_(self) -> None:
        if self.input.type.get_element_type() == i1:
            raise VerifyException(
                f"{self.name}: operand must be a float or integer tensor, not i1"
            )


@irdl_op_definition
class NegOp(NumericUnaryOp):
    """Elementwise `-x` (integers wrap)."""

    name = "litho_tensor.neg"


@irdl_op_definition
class ReluOp(NumericUnaryOp):
    """Elementwise `max(x, 0)`; NaN stays NaN."""

    name = "litho_tensor.relu"


@irdl_op_definition
class AbsOp(NumericUnaryOp):
    """Elementwise `|x|`. As in torch, `abs(-0.0)` is `+0.0` and the most negative integer
    is its own absolute value (it wraps)."""

    name = "litho_tensor.abs"


@irdl_op_definition
class GeluOp(ElementwiseUnaryOp):
    """Elementwise GELU, exact (`approximate = "none"`) or with the tanh formula.

    ```mlir
    %g = litho_tensor.gelu %x {approximate = "tanh"} : tensor<4xf32>
    ```
    """

    name = "litho_tensor.gelu"

    approximate = prop_def(StringAttr, default_value=StringAttr("none"))

    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, input: SSAValue, approximate: str = "none"):
        IRDLOperation.__init__(
            self,
            operands=[input],
            result_types=[input.type],
            properties={"approximate": StringAttr(approximate)},
        )

    def verify_(self) -> None:
        if self.approximate.data not in GELU_APPROXIMATIONS:
            raise VerifyException(
                f"{self.name}: approximate must be one of {GELU_APPROXIMATIONS}, "
                f"not {self.approximate.data!r}"
            )


@irdl_op_definition
class CmpOp(IRDLOperation):
    """Elementwise comparison with broadcasting; the result is a tensor of i1.

    ```mlir
    %m = litho_tensor.cmp "lt", %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
    ```
    """

    name = "litho_tensor.cmp"

    predicate = prop_def(StringAttr)
    lhs = operand_def(LithoTensor)
    rhs = operand_def(LithoTensor)
    result = result_def(BoolTensor)

    traits = traits_def(Pure())

    assembly_format = (
        "$predicate `,` $lhs `,` $rhs attr-dict `:` "
        "`(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, predicate: str, lhs: SSAValue, rhs: SSAValue):
        shape = broadcast_shapes(self.name, lhs.type.get_shape(), rhs.type.get_shape())
        super().__init__(
            operands=[lhs, rhs],
            result_types=[TensorType(i1, shape)],
            properties={"predicate": StringAttr(predicate)},
        )

    def verify_(self) -> None:
        if self.predicate.data not in COMPARISON_PREDICATES:
            raise VerifyException(
                f"{self.name}: predicate must be one of {COMPARISON_PREDICATES}, "
                f"not {self.predicate.data!r}"
            )
        check_same_element_type(self, self.lhs, self.rhs)
        shape = broadcast_shapes(
            self.name, self.lhs.type.get_shape(), self.rhs.type.get_shape()
        )
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class WhereOp(IRDLOperation):
    """`condition ? lhs : rhs` elementwise, all three operands broadcast together."""

    name = "litho_tensor.where"

    condition = operand_def(BoolTensor)
    lhs = operand_def(LithoTensor)
    rhs = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    traits = traits_def(Pure())

    assembly_format = (
        "$condition `,` $lhs `,` $rhs attr-dict `:` "
        "`(` type($condition) `,` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, condition: SSAValue, lhs: SSAValue, rhs: SSAValue):
        shape = broadcast_shapes(
            self.name,
            condition.type.get_shape(),
            lhs.type.get_shape(),
            rhs.type.get_shape(),
        )
        element_type = lhs.type.get_element_type()
        super().__init__(
            operands=[condition, lhs, rhs], result_types=[TensorType(element_type, shape)]
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.lhs, self.rhs, self.result)
        shape = broadcast_shapes(
            self.name,
            self.condition.type.get_shape(),
            self.lhs.type.get_shape(),
            self.rhs.type.get_shape(),
        )
        check_result_shape(self, self.result, shape)


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


CORE_OPS: list[type[IRDLOperation]] = [
    ConstantOp,
    AddOp,
    SubOp,
    MulOp,
    DivOp,
    MaxOp,
    MinOp,
    PowOp,
    IntegerDivOp,
    AndOp,
    OrOp,
    XorOp,
    NegOp,
    ExpOp,
    LogOp,
    TanhOp,
    SqrtOp,
    RsqrtOp,
    CosOp,
    SinOp,
    ErfOp,
    SigmoidOp,
    ReluOp,
    ReciprocalOp,
    AbsOp,
    GeluOp,
    CmpOp,
    WhereOp,
    CastOp,
    BroadcastOp,
    ReshapeOp,
    PermuteOp,
    MatmulOp,
    ReduceSumOp,
    ReduceMeanOp,
    ReduceMaxOp,
    ReduceMinOp,
]
