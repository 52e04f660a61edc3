"""`litho_tensor` elementwise ops: binary, unary, comparisons and `where`."""

from __future__ import annotations

from typing import ClassVar

from litho.dialects.tensor.base import (
    COMPARISON_PREDICATES,
    GELU_APPROXIMATIONS,
    BoolTensor,
    FloatTensor,
    LithoTensor,
    broadcast_shapes,
    check_result_shape,
    check_same_element_type,
)
from xdsl.dialects.builtin import (
    AnyFloat,
    IntegerType,
    StringAttr,
    TensorType,
    i1,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


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


class FloatBinaryOp(ElementwiseBinaryOp):
    """Base of binary elementwise ops on float tensors only."""

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(self.lhs.type.get_element_type(), AnyFloat):
            raise VerifyException(f"{self.name}: operands must be float tensors")


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
class DivOp(FloatBinaryOp):
    """Elementwise true division `lhs / rhs` (float tensors only)."""

    name = "litho_tensor.div"


@irdl_op_definition
class MaxOp(ElementwiseBinaryOp):
    """Elementwise maximum; NaN in either operand gives NaN, as torch.maximum does."""

    name = "litho_tensor.max"


@irdl_op_definition
class MinOp(ElementwiseBinaryOp):
    """Elementwise minimum; NaN in either operand gives NaN, as torch.minimum does."""

    name = "litho_tensor.min"


@irdl_op_definition
class PowOp(FloatBinaryOp):
    """Elementwise `lhs ** rhs` (float tensors only)."""

    name = "litho_tensor.pow"


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
