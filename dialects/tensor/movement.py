"""`litho_tensor` ops that move data rather than compute it elementwise.

Index generation (`iota`), slicing and concatenation, gathers and scatters (`take`,
`gather`, `scatter`, with `check_bounds` before them), prefix sums and sorting; the
window ops of CNNs are in `windows`. Like the rest of the dialect they act on statically
shaped tensors; their result type is written out and checked by the verifier.

```mlir
%rows = litho_tensor.take %table, %ids {dim = 0 : i64}
    : (tensor<100x16xf32>, tensor<2x8xi64>) -> tensor<2x8x16xf32>
```
"""

from __future__ import annotations

from collections.abc import Sequence

from litho.dialects.guard import IndexCheck
from litho.dialects.tensor.base import (
    IntegerTensor,
    LithoTensor,
    check_result_shape,
    check_same_element_type,
    normalize_dims,
)
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


def int_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def _dim_of(op: IRDLOperation, rank: int) -> int:
    return normalize_dims(op.name, [op.dim.value.data], rank)[0]


class MovementOp(IRDLOperation):
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)


@irdl_op_definition
class IotaOp(MovementOp):
    """Each element is its own index along `dim`, converted to the element type.

    ```mlir
    %i = litho_tensor.iota {dim = 0 : i64} : tensor<5xi64>
    ```
    """

    name = "litho_tensor.iota"

    dim = prop_def(IntegerAttr)
    result = result_def(LithoTensor)

    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, result_type: TensorType, dim: int):
        super().__init__(result_types=[result_type], properties={"dim": IntegerAttr(dim, i64)})

    def verify_(self) -> None:
        _dim_of(self, self.result.type.get_num_dims())


@irdl_op_definition
class SliceOp(MovementOp):
    """Elements `start, start + step, ...` of `dim`; the result type says how many.

    ```mlir
    %s = litho_tensor.slice %x {dim = 1 : i64, start = 2 : i64, step = 1 : i64}
        : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
    """

    name = "litho_tensor.slice"

    dim = prop_def(IntegerAttr)
    start = prop_def(IntegerAttr)
    step = prop_def(IntegerAttr)
    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, dim: int, start: int, step: int, size: int):
        shape = list(input.type.get_shape())
        shape[dim] = size
        super().__init__(
            operands=[input],
            result_types=[TensorType(input.type.get_element_type(), shape)],
            properties={name: IntegerAttr(value, i64) for name, value in
                        (("dim", dim), ("start", start), ("step", step))},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        shape = list(self.input.type.get_shape())
        dim = _dim_of(self, len(shape))
        start, step = self.start.value.data, self.step.value.data
        size = self.result.type.get_shape()[dim]
        if step < 1 or start < 0 or (size and start + (size - 1) * step >= shape[dim]):
            raise VerifyException(
                f"{self.name}: {size} elements from {start} by {step} do not fit in dim "
                f"{dim} of size {shape[dim]}"
            )
        shape[dim] = size
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class ConcatOp(MovementOp):
    """The inputs one after another along `dim`, as `torch.cat`.

    ```mlir
    %c = litho_tensor.concat %a, %b {dim = 0 : i64}
        : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
    ```
    """

    name = "litho_tensor.concat"

    dim = prop_def(IntegerAttr)
    inputs = var_operand_def(LithoTensor)
    result = result_def(LithoTensor)

    assembly_format = (
        "$inputs attr-dict `:` `(` type($inputs) `)` `->` type($result)"
    )

    def __init__(self, inputs: Sequence[SSAValue], dim: int):
        shape = list(inputs[0].type.get_shape())
        shape[dim] = sum(value.type.get_shape()[dim] for value in inputs)
        super().__init__(
            operands=[list(inputs)],
            result_types=[TensorType(inputs[0].type.get_element_type(), shape)],
            properties={"dim": IntegerAttr(dim, i64)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, *self.inputs, self.result)
        shape = list(self.result.type.get_shape())
        dim = _dim_of(self, len(shape))
        total = 0
        for value in self.inputs:
            piece = list(value.type.get_shape())
            if len(piece) != len(shape) or any(
                size != piece[i] for i, size in enumerate(shape) if i != dim
            ):
                raise VerifyException(
                    f"{self.name}: input shape {tuple(piece)} does not match result "
                    f"{tuple(shape)} outside dim {dim}"
                )
            total += piece[dim]
        shape[dim] = total
        check_result_shape(self, self.result, shape)


def take_shape(shape: Sequence[int], indices: Sequence[int], dim: int) -> list[int]:
    return [*shape[:dim], *indices, *shape[dim + 1 :]]


@irdl_op_definition
class TakeOp(MovementOp):
    """`input` indexed along `dim` by every element of `indices`, as `numpy.take`.

    The result shape is `input.shape[:dim] + indices.shape + input.shape[dim+1:]`;
    negative indices count from the end. An embedding lookup is a take on dim 0.

    ```mlir
    %e = litho_tensor.take %w, %ids {dim = 0 : i64}
        : (tensor<100x16xf32>, tensor<2x8xi64>) -> tensor<2x8x16xf32>
    ```
    """

    name = "litho_tensor.take"

    dim = prop_def(IntegerAttr)
    input = operand_def(LithoTensor)
    indices = operand_def(IntegerTensor)
    result = result_def(LithoTensor)

    assembly_format = (
        "$input `,` $indices attr-dict `:` `(` type($input) `,` type($indices) `)` "
        "`->` type($result)"
    )

    def __init__(self, input: SSAValue, indices: SSAValue, dim: int):
        shape = take_shape(input.type.get_shape(), indices.type.get_shape(), dim)
        super().__init__(
            operands=[input, indices],
            result_types=[TensorType(input.type.get_element_type(), shape)],
            properties={"dim": IntegerAttr(dim, i64)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        dim = _dim_of(self, self.input.type.get_num_dims())
        shape = take_shape(self.input.type.get_shape(), self.indices.type.get_shape(), dim)
        check_result_shape(self, self.result, shape)


@irdl_op_definition
class ScatterOp(MovementOp):
    """`dest` with the slices of `updates` written along `dim` at `indices`: the inverse
    of `take`, as `x[..., indices] = updates` (`index_put`).

    `updates` has the shape `take` would give (`dest.shape[:dim] + indices.shape +
    dest.shape[dim+1:]`). Indices must lie in `0 .. size - 1` (importers check them
    first). Where an index repeats, the last write wins; with `accumulate`, every update
    is added instead.

    ```mlir
    %r = litho_tensor.scatter %dest, %ids, %rows {dim = 0 : i64}
        : (tensor<5x3xf32>, tensor<4xi64>, tensor<4x3xf32>) -> tensor<5x3xf32>
    ```
    """

    name = "litho_tensor.scatter"

    dim = prop_def(IntegerAttr)
    accumulate = opt_prop_def(UnitAttr)
    dest = operand_def(LithoTensor)
    indices = operand_def(IntegerTensor)
    updates = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    assembly_format = (
        "$dest `,` $indices `,` $updates attr-dict `:` `(` type($dest) `,` type($indices) "
        "`,` type($updates) `)` `->` type($result)"
    )

    def __init__(
        self, dest: SSAValue, indices: SSAValue, updates: SSAValue, dim: int,
        accumulate: bool = False,
    ):
        super().__init__(
            operands=[dest, indices, updates],
            result_types=[dest.type],
            properties={
                "dim": IntegerAttr(dim, i64),
                "accumulate": UnitAttr() if accumulate else None,
            },
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.dest, self.updates, self.result)
        shape = self.dest.type.get_shape()
        dim = _dim_of(self, len(shape))
        check_result_shape(self, self.result, shape)
        expected = take_shape(shape, self.indices.type.get_shape(), dim)
        if tuple(self.updates.type.get_shape()) != tuple(expected):
            raise VerifyException(
                f"{self.name}: updates shape {tuple(self.updates.type.get_shape())} should "
                f"be {tuple(expected)}"
            )
        if self.accumulate is not None and self.dest.type.get_element_type() == IntegerType(1):
            raise VerifyException(f"{self.name}: accumulate on i1 tensors is not supported")


@irdl_op_definition
class CheckBoundsOp(IndexCheck):
    """`indices` used as indices into dim `dim` (of `size`) by the op `where` names.

    The result is `indices`, every one in range, or the call fails with an
    `IndexOutOfBoundsError` (native code reports it after the call, see
    dialects/guard.py). With `wrap`, indices from `-size` on count from the end and are
    wrapped. Importers put one before every `take` and `gather` of indices from data.

    ```mlir
    %ok = litho_tensor.check_bounds %ids {size = 100 : i64, dim = 0 : i64,
                                          where = "aten.embedding.default (node e) at m.py:7"}
        : tensor<2x8xi64> -> tensor<2x8xi64>
    ```
    """

    name = "litho_tensor.check_bounds"

    indices = operand_def(IntegerTensor)
    result = result_def(IntegerTensor)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$indices attr-dict `:` type($indices) `->` type($result)"

    def __init__(self, indices: SSAValue, size: int, dim: int, where: str, wrap: bool = False):
        super().__init__(
            operands=[indices],
            result_types=[indices.type],
            properties=self.properties_of(size, dim, where, wrap),
        )

    def verify_(self) -> None:
        if self.result.type != self.indices.type:
            raise VerifyException(f"{self.name}: result type must be the indices' type")
        if self.size.value.data < 1:
            raise VerifyException(f"{self.name}: size must be at least 1")


@irdl_op_definition
class GatherOp(MovementOp):
    """`result[i][j] = input[index[i][j]][j]` for `dim = 0`, and so on, as `torch.gather`.

    ```mlir
    %g = litho_tensor.gather %x, %index {dim = 1 : i64}
        : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
    ```
    """

    name = "litho_tensor.gather"

    dim = prop_def(IntegerAttr)
    input = operand_def(LithoTensor)
    index = operand_def(IntegerTensor)
    result = result_def(LithoTensor)

    assembly_format = (
        "$input `,` $index attr-dict `:` `(` type($input) `,` type($index) `)` "
        "`->` type($result)"
    )

    def __init__(self, input: SSAValue, index: SSAValue, dim: int):
        result_type = TensorType(input.type.get_element_type(), index.type.get_shape())
        super().__init__(
            operands=[input, index],
            result_types=[result_type],
            properties={"dim": IntegerAttr(dim, i64)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        rank = self.input.type.get_num_dims()
        _dim_of(self, rank)
        if self.index.type.get_num_dims() != rank:
            raise VerifyException(f"{self.name}: index rank differs from input rank {rank}")
        check_result_shape(self, self.result, self.index.type.get_shape())


@irdl_op_definition
class CumsumOp(MovementOp):
    """Inclusive prefix sum along `dim`, as `torch.cumsum`."""

    name = "litho_tensor.cumsum"

    dim = prop_def(IntegerAttr)
    input = operand_def(LithoTensor)
    result = result_def(LithoTensor)

    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, dim: int):
        super().__init__(
            operands=[input],
            result_types=[input.type],
            properties={"dim": IntegerAttr(dim, i64)},
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.result)
        _dim_of(self, self.input.type.get_num_dims())
        check_result_shape(self, self.result, self.input.type.get_shape())


@irdl_op_definition
class SortOp(MovementOp):
    """The elements along `dim` in ascending order (descending with `descending`), and
    the index each came from, as `torch.sort(stable=True)`.

    Equal elements keep their order, and NaN sorts above every number, as in torch.
    (Eager's default sort is not stable: the indices of equal elements can differ from
    its, the values cannot.)

    ```mlir
    %v, %i = litho_tensor.sort %x {dim = 1 : i64, descending}
        : tensor<2x5xf32> -> (tensor<2x5xf32>, tensor<2x5xi64>)
    ```
    """

    name = "litho_tensor.sort"

    dim = prop_def(IntegerAttr)
    descending = opt_prop_def(UnitAttr)
    input = operand_def(LithoTensor)
    values = result_def(LithoTensor)
    indices = result_def(IntegerTensor)

    assembly_format = (
        "$input attr-dict `:` type($input) `->` `(` type($values) `,` type($indices) `)`"
    )

    def __init__(self, input: SSAValue, dim: int, descending: bool = False):
        indices_type = TensorType(i64, input.type.get_shape())
        super().__init__(
            operands=[input],
            result_types=[input.type, indices_type],
            properties={
                "dim": IntegerAttr(dim, i64),
                "descending": UnitAttr() if descending else None,
            },
        )

    def verify_(self) -> None:
        check_same_element_type(self, self.input, self.values)
        shape = self.input.type.get_shape()
        _dim_of(self, len(shape))
        if not shape:
            raise VerifyException(f"{self.name}: input must have rank 1 or more")
        check_result_shape(self, self.values, shape)
        check_result_shape(self, self.indices, shape)
        if self.indices.type.get_element_type() != i64:
            raise VerifyException(f"{self.name}: indices must be a tensor of i64")
