"""The `litho_tensor` dialect's element and tensor types, shape rules and `constant`.

The dialect itself (its op lists and `Dialect` object) is `litho.dialects.tensor`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
    i1,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
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
IntegerTensor = TensorType.constr(IntegerType)

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
