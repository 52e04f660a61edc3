"""The `litho_tensor` dialect: litho's graph level (L1).

Value-semantics ops on statically shaped builtin tensors, close to core ATen. Binary
elementwise ops, `cmp`, `where` and `matmul` broadcast their operands the way numpy and
torch do (shapes aligned on the right, size-1 dims stretched). Model parameters are
function arguments, so IR text stays readable at any model size.

| module | ops |
| --- | --- |
| `base` | types, shape rules, `constant` |
| `elementwise` | binary and unary math, bitwise, `cmp`, `where`, `gelu` |
| `structure` | `cast`, `broadcast`, `reshape`, `permute`, `matmul`, reductions |
| `movement` | data movement: iota, slices, concat, gathers and scatters, cumsum, sort |
| `windows` | `pad`, `conv`, `pool` |
| `attention` | `attention` (made by litho-fuse-attention) |
| `interpreter` | the numpy semantics of every op (not imported here) |

```mlir
func.func @forward(%w: tensor<32x16xf32>, %x: tensor<3x16xf32>) -> tensor<3x32xf32> {
  %wt = litho_tensor.permute %w {dims = array<i64: 1, 0>} : tensor<32x16xf32> -> tensor<16x32xf32>
  %y = litho_tensor.matmul %x, %wt : (tensor<3x16xf32>, tensor<16x32xf32>) -> tensor<3x32xf32>
  %r = litho_tensor.relu %y : tensor<3x32xf32>
  func.return %r : tensor<3x32xf32>
}
```
"""

from types import ModuleType

from litho.dialects.tensor import attention, base, elementwise, movement, structure, windows
from litho.dialects.tensor.attention import AttentionOp
from litho.dialects.tensor.base import (
    COMPARISON_PREDICATES,
    ELEMENT_TYPES,
    GELU_APPROXIMATIONS,
    BoolTensor,
    ConstantOp,
    FloatTensor,
    IntegerTensor,
    LithoTensor,
    broadcast_shapes,
    check_result_shape,
    check_same_element_type,
    normalize_dims,
)
from litho.dialects.tensor.elementwise import (
    ROUNDING_MODES,
    AbsOp,
    AddOp,
    AndOp,
    BitwiseOp,
    CmpOp,
    CosOp,
    DivOp,
    ElementwiseBinaryOp,
    ElementwiseUnaryOp,
    ErfOp,
    ExpOp,
    GeluOp,
    IntegerDivOp,
    LogOp,
    MaxOp,
    MinOp,
    MulOp,
    NegOp,
    NumericUnaryOp,
    OrOp,
    PowOp,
    ReciprocalOp,
    ReluOp,
    RsqrtOp,
    SigmoidOp,
    SinOp,
    SqrtOp,
    SubOp,
    TanhOp,
    WhereOp,
    XorOp,
)
from litho.dialects.tensor.movement import (
    CheckBoundsOp,
    ConcatOp,
    CumsumOp,
    GatherOp,
    IotaOp,
    MovementOp,
    ScatterOp,
    SliceOp,
    SortOp,
    TakeOp,
    int_array,
    take_shape,
)
from litho.dialects.tensor.structure import (
    BroadcastOp,
    CastOp,
    MatmulOp,
    PermuteOp,
    ReduceMaxOp,
    ReduceMeanOp,
    ReduceMinOp,
    ReduceSumOp,
    ReductionOp,
    ReshapeOp,
    ShapeOp,
    matmul_shape,
    reduced_shape,
)
from litho.dialects.tensor.windows import (
    POOL_KINDS,
    ConvOp,
    PadOp,
    PoolOp,
    window_output_size,
)
from xdsl.ir import Dialect
from xdsl.irdl import IRDLOperation


def _operations_of(*modules: ModuleType) -> list[type[IRDLOperation]]:
    """The ops each module defines (classes with their own op name), in order."""
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, IRDLOperation)
        and value.__module__ == module.__name__
        and "name" in vars(value)
    ]


LITHO_TENSOR = Dialect(
    "litho_tensor", _operations_of(base, elementwise, structure, movement, windows, attention)
)

__all__ = [
    "AbsOp",
    "AttentionOp",
    "AddOp",
    "AndOp",
    "BitwiseOp",
    "BoolTensor",
    "broadcast_shapes",
    "BroadcastOp",
    "CastOp",
    "check_result_shape",
    "check_same_element_type",
    "CheckBoundsOp",
    "CmpOp",
    "COMPARISON_PREDICATES",
    "ConcatOp",
    "ConstantOp",
    "ConvOp",
    "CosOp",
    "CumsumOp",
    "DivOp",
    "ELEMENT_TYPES",
    "ElementwiseBinaryOp",
    "ElementwiseUnaryOp",
    "ErfOp",
    "ExpOp",
    "FloatTensor",
    "GatherOp",
    "GELU_APPROXIMATIONS",
    "GeluOp",
    "int_array",
    "IntegerDivOp",
    "IntegerTensor",
    "IotaOp",
    "LITHO_TENSOR",
    "LithoTensor",
    "LogOp",
    "matmul_shape",
    "MatmulOp",
    "MaxOp",
    "MinOp",
    "MovementOp",
    "MulOp",
    "NegOp",
    "normalize_dims",
    "NumericUnaryOp",
    "OrOp",
    "PadOp",
    "PermuteOp",
    "POOL_KINDS",
    "PoolOp",
    "PowOp",
    "ReciprocalOp",
    "reduced_shape",
    "ReduceMaxOp",
    "ReduceMeanOp",
    "ReduceMinOp",
    "ReduceSumOp",
    "ReductionOp",
    "ReluOp",
    "ReshapeOp",
    "ROUNDING_MODES",
    "RsqrtOp",
    "ScatterOp",
    "ShapeOp",
    "SigmoidOp",
    "SinOp",
    "SliceOp",
    "SortOp",
    "SqrtOp",
    "SubOp",
    "take_shape",
    "TakeOp",
    "TanhOp",
    "WhereOp",
    "window_output_size",
    "XorOp",
]
