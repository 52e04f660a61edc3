"""convert-litho-tensor-to-linalg: L1 graph ops to L2 `linalg.generic` on tensors.

Input: a module of `litho_tensor` ops on static shapes. Output: every `litho_tensor` op is
a `linalg.generic` (with `tensor.empty` as its destination) whose body is `arith`/`math`;
broadcasting, permutes and reshapes live in the indexing maps, so later passes see one
uniform kind of op. Reductions start from a generic that fills the identity element.

```mlir
%r = litho_tensor.relu %x : tensor<4xf32>
// becomes
%e = tensor.empty() : tensor<4xf32>
%r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                     iterator_types = ["parallel"]} ins(%x) outs(%e) {
^bb0(%in: f32, %out: f32):
  %zero = arith.constant 0.0 : f32
  %m = arith.maximumf %in, %zero : f32
  linalg.yield %m : f32
} -> tensor<4xf32>
```

Matmul loops run batch, M, K, N (K before N) so the innermost loop walks rows of the
right operand and of the result contiguously.
"""

from __future__ import annotations

import math as pymath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np
from litho.dialects import tensor as lt
from litho.dialects.tensor.interpreter import dense_to_numpy
from litho.lowering.common.legality import check_no_ops_of_dialect
from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import arith, math, tensor
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AnyFloat,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    TensorType,
)
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.pattern_rewriter import (
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.utils.exceptions import PassFailedException

BodyBuilder = Callable[[Sequence[SSAValue]], SSAValue]


def scalar_constant(value: float | int, element_type: Attribute) -> SSAValue:
    """An `arith.constant` of `element_type` holding `value`."""
    if isinstance(element_type, AnyFloat):
        return arith.ConstantOp(FloatAttr(float(value), element_type)).result
    assert isinstance(element_type, IntegerType)
    return arith.ConstantOp(IntegerAttr(int(value), element_type)).result


def broadcast_map(input_shape: Sequence[int], output_shape: Sequence[int]) -> AffineMap:
    """Map from the output's loop dims to a right-aligned, broadcast input's indices."""
    offset = len(output_shape) - len(input_shape)
    results = [
        AffineExpr.constant(0)
        if size == 1 and output_shape[offset + i] != 1
        else AffineExpr.dimension(offset + i)
        for i, size in enumerate(input_shape)
    ]
    return AffineMap(len(output_shape), 0, tuple(results))


def row_major_strides(shape: Sequence[int]) -> list[int]:
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return strides


def reshape_map(input_shape: Sequence[int], output_shape: Sequence[int]) -> AffineMap:
    """Map from output indices to the input indices of the same row-major element."""
    flat = AffineExpr.constant(0)
    for dim, stride in enumerate(row_major_strides(output_shape)):
        flat = flat + AffineExpr.dimension(dim) * stride
    results = []
    for i, stride in enumerate(row_major_strides(input_shape)):
        index = flat // stride if stride != 1 else flat
        results.append(index % input_shape[i] if i > 0 else index)
    return AffineMap(len(output_shape), 0, tuple(results))


def build_generic(
    inputs: Sequence[SSAValue],
    input_maps: Sequence[AffineMap],
    init: SSAValue,
    output_map: AffineMap,
    iterators: Sequence[str],
    body: BodyBuilder,
) -> linalg.GenericOp:
    """A `linalg.generic` writing `body(input elements..., output element)` into `init`."""
    argument_types = [value.type.get_element_type() for value in (*inputs, init)]
    block = Block(arg_types=argument_types)
    with ImplicitBuilder(block):
        linalg.YieldOp(body(block.args))
    maps = [AffineMapAttr(indexing) for indexing in (*input_maps, output_map)]
    kinds = [linalg_attrs.IteratorTypeAttr(linalg_attrs.IteratorType(kind)) for kind in iterators]
    return linalg.GenericOp(inputs, [init], Region(block), maps, kinds, [init.type])


def fill(rewriter: PatternRewriter, result_type: TensorType, value: float) -> SSAValue:
    """A new tensor of `result_type` holding `value` everywhere."""
    empty = tensor.EmptyOp([], result_type)
    element_type = result_type.get_element_type()
    generic = build_generic(
        [],
        [],
        empty.tensor,
        AffineMap.identity(result_type.get_num_dims()),
        ["parallel"] * result_type.get_num_dims(),
        lambda args: scalar_constant(value, element_type),
    )
    rewriter.insert((empty, generic))
    return generic.res[0]


def elementwise(
    rewriter: PatternRewriter,
    op: lt.IRDLOperation,
    inputs: Sequence[SSAValue],
    body: BodyBuilder,
    input_maps: Sequence[AffineMap] | None = None,
) -> None:
    """Replace `op` by a parallel generic over its result's shape."""
    result_type = op.results[0].type
    output_shape = result_type.get_shape()
    if input_maps is None:
        input_maps = [broadcast_map(value.type.get_shape(), output_shape) for value in inputs]
    empty = tensor.EmptyOp([], result_type)
    generic = build_generic(
        inputs,
        input_maps,
        empty.tensor,
        AffineMap.identity(len(output_shape)),
        ["parallel"] * len(output_shape),
        body,
    )
    rewriter.replace(op, (empty, generic))


def is_float(value: SSAValue) -> bool:
    return isinstance(value.type.get_element_type(), AnyFloat)


_FLOAT_BINARY = {
    lt.AddOp: arith.AddfOp,
    lt.SubOp: arith.SubfOp,
    lt.MulOp: arith.MulfOp,
    lt.DivOp: arith.DivfOp,
    lt.MaxOp: arith.MaximumfOp,
    lt.MinOp: arith.MinimumfOp,
    lt.PowOp: math.PowFOp,
}
_INTEGER_BINARY = {
    lt.AddOp: arith.AddiOp,
    lt.SubOp: arith.SubiOp,
    lt.MulOp: arith.MuliOp,
    lt.MaxOp: arith.MaxSIOp,
    lt.MinOp: arith.MinSIOp,
    lt.AndOp: arith.AndIOp,
    lt.OrOp: arith.OrIOp,
    lt.XorOp: arith.XOrIOp,
}
# i1 is unsigned here (true is 1, as in torch): MLIR's signed forms would read true as -1.
# torch keeps bool + bool and bool * bool bool: True + True is True, so add is or.
_BOOLEAN_BINARY = {
    lt.AddOp: arith.OrIOp,
    lt.MulOp: arith.AndIOp,
    lt.MaxOp: arith.MaxUIOp,
    lt.MinOp: arith.MinUIOp,
    lt.AndOp: arith.AndIOp,
    lt.OrOp: arith.OrIOp,
    lt.XorOp: arith.XOrIOp,
}


def is_boolean(value: SSAValue) -> bool:
    return value.type.get_element_type() == IntegerType(1)


class BinaryPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ElementwiseBinaryOp, rewriter: PatternRewriter):
        check_supported(op)
        scalar_op = _binary_table(op.lhs)[type(op)]
        elementwise(rewriter, op, [op.lhs, op.rhs], lambda args: scalar_op(*args[:2]).result)


def integer_division(rounding: str, lhs: SSAValue, rhs: SSAValue) -> SSAValue:
    """`lhs / rhs` rounded by `rounding`, never trapping: a zero divisor gives `lhs`, and
    -1 gives `0 - lhs` (the most negative integer wraps) instead of overflowing."""
    by_minus_one = arith.CmpiOp(rhs, scalar_constant(-1, rhs.type), "eq").result
    by_zero = arith.CmpiOp(rhs, scalar_constant(0, rhs.type), "eq").result
    unsafe = arith.OrIOp(by_minus_one, by_zero).result
    safe = arith.SelectOp(unsafe, scalar_constant(1, rhs.type), rhs).result
    divide = arith.FloorDivSIOp if rounding == "floor" else arith.DivSIOp
    quotient = divide(lhs, safe).result
    negated = arith.SubiOp(scalar_constant(0, lhs.type), lhs).result
    return arith.SelectOp(by_minus_one, negated, quotient).result


class IntegerDivPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.IntegerDivOp, rewriter: PatternRewriter):
        rounding = op.rounding.data
        elementwise(
            rewriter, op, [op.lhs, op.rhs], lambda args: integer_division(rounding, *args[:2])
        )


def _binary_table(value: SSAValue) -> dict[type, type]:
    if is_float(value):
        return _FLOAT_BINARY
    return _BOOLEAN_BINARY if is_boolean(value) else _INTEGER_BINARY


def _gelu(x: SSAValue, approximate: str) -> SSAValue:
    element_type = x.type
    half_x = arith.MulfOp(x, scalar_constant(0.5, element_type)).result
    if approximate == "tanh":
        cube = arith.MulfOp(arith.MulfOp(x, x), x).result
        inner = arith.AddfOp(x, arith.MulfOp(cube, scalar_constant(0.044715, element_type)))
        scale = scalar_constant(pymath.sqrt(2 / pymath.pi), element_type)
        curve = math.TanhOp(arith.MulfOp(inner, scale)).result
    else:
        scale = scalar_constant(1 / pymath.sqrt(2), element_type)
        curve = math.ErfOp(arith.MulfOp(x, scale)).result
    one_plus = arith.AddfOp(curve, scalar_constant(1.0, element_type)).result
    return arith.MulfOp(half_x, one_plus).result


def _sigmoid(x: SSAValue) -> SSAValue:
    one = scalar_constant(1.0, x.type)
    denominator = arith.AddfOp(one, math.ExpOp(arith.NegfOp(x)))
    return arith.DivfOp(one, denominator).result


_UNARY_BODIES: dict[type, Callable[[SSAValue], SSAValue]] = {
    lt.ExpOp: lambda x: math.ExpOp(x).result,
    lt.LogOp: lambda x: math.LogOp(x).result,
    lt.TanhOp: lambda x: math.TanhOp(x).result,
    lt.SqrtOp: lambda x: math.SqrtOp(x).result,
    lt.RsqrtOp: lambda x: math.RsqrtOp(x).result,
    lt.CosOp: lambda x: math.CosOp(x).result,
    lt.SinOp: lambda x: math.SinOp(x).result,
    lt.ErfOp: lambda x: math.ErfOp(x).result,
    lt.SigmoidOp: _sigmoid,
    lt.ReciprocalOp: lambda x: arith.DivfOp(scalar_constant(1.0, x.type), x).result,
}


class UnaryPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ElementwiseUnaryOp, rewriter: PatternRewriter):
        if isinstance(op, lt.GeluOp):
            approximate = op.approximate.data
            elementwise(rewriter, op, [op.input], lambda args: _gelu(args[0], approximate))
            return
        body = _UNARY_BODIES[type(op)]
        elementwise(rewriter, op, [op.input], lambda args: body(args[0]))


def _float_abs(x: SSAValue) -> SSAValue:
    """`max(x, -x)`: +0 for -0 and NaN for NaN (arith.maximumf orders -0 below +0)."""
    return arith.MaximumfOp(x, arith.NegfOp(x)).result


def _integer_negation(x: SSAValue) -> SSAValue:
    """`0 - x`: the most negative integer negates to itself, as in torch."""
    return arith.SubiOp(scalar_constant(0, x.type), x).result


# (float body, integer body) per op
_NUMERIC_UNARY_BODIES: dict[type, tuple[Callable[[SSAValue], SSAValue], ...]] = {
    lt.NegOp: (lambda x: arith.NegfOp(x).result, _integer_negation),
    lt.ReluOp: (
        lambda x: arith.MaximumfOp(x, scalar_constant(0.0, x.type)).result,
        lambda x: arith.MaxSIOp(x, scalar_constant(0, x.type)).result,
    ),
    lt.AbsOp: (_float_abs, lambda x: arith.MaxSIOp(x, _integer_negation(x)).result),
}


class NumericUnaryPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.NumericUnaryOp, rewriter: PatternRewriter):
        float_body, integer_body = _NUMERIC_UNARY_BODIES[type(op)]
        body = float_body if is_float(op.input) else integer_body
        elementwise(rewriter, op, [op.input], lambda args: body(args[0]))


_FLOAT_PREDICATES = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
_INTEGER_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_BOOLEAN_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


class CmpPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.CmpOp, rewriter: PatternRewriter):
        predicate = op.predicate.data
        if is_float(op.lhs):
            compare, table = arith.CmpfOp, _FLOAT_PREDICATES
        else:
            compare = arith.CmpiOp
            table = _BOOLEAN_PREDICATES if is_boolean(op.lhs) else _INTEGER_PREDICATES
        body = partial(_compare, compare, table[predicate])
        elementwise(rewriter, op, [op.lhs, op.rhs], body)


def _compare(compare: type, predicate: str, args: Sequence[SSAValue]) -> SSAValue:
    return compare(args[0], args[1], predicate).result


def compare_scalars(predicate: str, lhs: SSAValue, rhs: SSAValue) -> SSAValue:
    """`lhs <predicate> rhs` on scalars as `litho_tensor.cmp` compares elements."""
    if isinstance(lhs.type, AnyFloat):
        return arith.CmpfOp(lhs, rhs, _FLOAT_PREDICATES[predicate]).result
    table = _BOOLEAN_PREDICATES if lhs.type == IntegerType(1) else _INTEGER_PREDICATES
    return arith.CmpiOp(lhs, rhs, table[predicate]).result


class WherePattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.WhereOp, rewriter: PatternRewriter):
        inputs = [op.condition, op.lhs, op.rhs]
        elementwise(rewriter, op, inputs, lambda args: arith.SelectOp(*args[:3]).result)


def convert_scalar(value: SSAValue, target: Attribute) -> SSAValue:
    """`value` converted to the scalar type `target` with torch's casting rules."""
    source = value.type
    if source == target:
        return value
    if target == IntegerType(1):
        zero = scalar_constant(0, source)
        if isinstance(source, AnyFloat):
            return arith.CmpfOp(value, zero, "une").result
        return arith.CmpiOp(value, zero, "ne").result
    if isinstance(source, AnyFloat) and isinstance(target, AnyFloat):
        if source.bitwidth < target.bitwidth:
            return arith.ExtFOp(value, target).result
        return arith.TruncFOp(value, target).result
    if isinstance(source, AnyFloat):
        return arith.FPToSIOp(value, target).result
    if source == IntegerType(1):
        if isinstance(target, AnyFloat):
            return arith.UIToFPOp(value, target).result
        return arith.ExtUIOp(value, target).result
    if isinstance(target, AnyFloat):
        return arith.SIToFPOp(value, target).result
    if source.bitwidth < target.bitwidth:
        return arith.ExtSIOp(value, target).result
    return arith.TruncIOp(value, target).result


class CastPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.CastOp, rewriter: PatternRewriter):
        target = op.result.type.get_element_type()
        elementwise(rewriter, op, [op.input], lambda args: convert_scalar(args[0], target))


class ShapePattern(RewritePattern):
    """broadcast, reshape and permute: a copy whose indexing map does the work."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ShapeOp | lt.PermuteOp, rewriter: PatternRewriter):
        input_shape = op.input.type.get_shape()
        output_shape = op.result.type.get_shape()
        if isinstance(op, lt.CastOp):
            return
        if isinstance(op, lt.ReshapeOp):
            input_map = reshape_map(input_shape, output_shape)
        elif isinstance(op, lt.PermuteOp):
            dims = list(op.dims.get_values())
            results = [AffineExpr.dimension(dims.index(j)) for j in range(len(dims))]
            input_map = AffineMap(len(dims), 0, tuple(results))
        else:
            input_map = broadcast_map(input_shape, output_shape)
        elementwise(rewriter, op, [op.input], lambda args: args[0], [input_map])


class ConstantPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ConstantOp, rewriter: PatternRewriter):
        check_supported(op)
        values = dense_to_numpy(op.value)
        value = values.flat[0].item() if values.size else 0
        result = fill(rewriter, op.result.type, value)
        rewriter.replace_all_uses_with(op.result, result)
        rewriter.erase(op)


MULTIPLY_ADD = arith.FastMathFlagsAttr([arith.FastMathFlag.ALLOW_CONTRACT])
"""A matmul's multiply and add may be one fused multiply-add (as in eager's BLAS)."""
REORDERABLE = arith.FastMathFlagsAttr([arith.FastMathFlag.REASSOC])
"""A float reduction's order is not fixed (eager's kernels sum in vector lanes too), so
codegen may reorder it to vectorize."""


class MatmulPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.MatmulOp, rewriter: PatternRewriter):
        check_supported(op)
        result_type = op.result.type
        batch_rank = result_type.get_num_dims() - 2
        # loop dims: batch..., m, k, n
        m, k, n = (AffineExpr.dimension(batch_rank + i) for i in range(3))
        loop_count = batch_rank + 3
        batch_shape = result_type.get_shape()[:batch_rank]

        def operand_map(value: SSAValue, rows: AffineExpr, cols: AffineExpr) -> AffineMap:
            shape = value.type.get_shape()
            batch = broadcast_map(shape[:-2], batch_shape).results
            return AffineMap(loop_count, 0, (*batch, rows, cols))

        batch_dims = tuple(AffineExpr.dimension(i) for i in range(batch_rank))
        output_map = AffineMap(loop_count, 0, (*batch_dims, m, n))
        init = fill(rewriter, result_type, 0.0)
        add, multiply, flags = (arith.AddfOp, arith.MulfOp, {"flags": MULTIPLY_ADD}) if (
            is_float(op.lhs)) else (arith.AddiOp, arith.MuliOp, {})
        generic = build_generic(
            [op.lhs, op.rhs],
            [operand_map(op.lhs, m, k), operand_map(op.rhs, k, n)],
            init,
            output_map,
            ["parallel"] * batch_rank + ["parallel", "reduction", "parallel"],
            lambda args: add(args[2], multiply(args[0], args[1], **flags), **flags).result,
        )
        rewriter.replace(op, generic)


@dataclass(frozen=True)
class _Reduction:
    identity: float
    float_op: type
    integer_op: type
    boolean_op: type  # the litho_tensor op whose i1 form reduces (sum of bools: any)
    boolean_identity: int = 0


_REDUCTIONS = {
    lt.ReduceSumOp: _Reduction(0.0, arith.AddfOp, arith.AddiOp, lt.OrOp),
    lt.ReduceMeanOp: _Reduction(0.0, arith.AddfOp, arith.AddiOp, lt.OrOp),
    lt.ReduceMaxOp: _Reduction(-pymath.inf, arith.MaximumfOp, arith.MaxSIOp, lt.MaxOp),
    lt.ReduceMinOp: _Reduction(pymath.inf, arith.MinimumfOp, arith.MinSIOp, lt.MinOp, 1),
}


def _reduction_form(reduction: _Reduction, value: SSAValue) -> tuple[float, type]:
    """The identity and the scalar op of `reduction` on `value`'s element type."""
    if is_float(value):
        return reduction.identity, reduction.float_op
    if is_boolean(value):
        return reduction.boolean_identity, _BOOLEAN_BINARY[reduction.boolean_op]
    identity = reduction.identity
    if pymath.isinf(identity):  # the integer type's lowest or highest value
        bitwidth = value.type.get_element_type().bitwidth
        identity = -(2 ** (bitwidth - 1)) if identity < 0 else 2 ** (bitwidth - 1) - 1
    return identity, reduction.integer_op


class ReductionPattern(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.ReductionOp, rewriter: PatternRewriter):
        check_supported(op)
        reduction = _REDUCTIONS[type(op)]
        dims = op.reduced_dims
        rank = op.input.type.get_num_dims()
        keepdim = op.keepdim is not None
        output_results = [
            AffineExpr.constant(0) if i in dims else AffineExpr.dimension(i)
            for i in range(rank)
            if keepdim or i not in dims
        ]
        identity, scalar_op = _reduction_form(reduction, op.input)
        flags = {"flags": REORDERABLE} if is_float(op.input) else {}
        generic = build_generic(
            [op.input],
            [AffineMap.identity(rank)],
            fill(rewriter, op.result.type, identity),
            AffineMap(rank, 0, tuple(output_results)),
            ["reduction" if i in dims else "parallel" for i in range(rank)],
            lambda args: scalar_op(args[0], args[1], **flags).result,
        )
        rewriter.insert(generic)
        result = generic.res[0]
        if isinstance(op, lt.ReduceMeanOp):
            count = pymath.prod(op.input.type.get_shape()[d] for d in dims)
            element_type = op.result.type.get_element_type()
            divisor = lt.ConstantOp.splat(count, TensorType(element_type, []))
            mean = lt.DivOp(result, divisor.result)
            rewriter.insert((divisor, mean))
            result = mean.result
        rewriter.replace_all_uses_with(op.result, result)
        rewriter.erase(op)


def unsupported_form(op: Operation) -> str | None:
    """Why this pass cannot lower `op`, a verified op, or None if it can.

    The one statement of which forms the patterns support: each pattern raises this
    reason, and the importer asks it of every op it emits, so a node whose form no
    pattern lowers runs in torch eager instead of failing the compile.
    """
    if isinstance(op, lt.ConstantOp) and not _is_splat(op):
        return (
            f"{op.name}: only splat constants can be lowered; pass larger constants "
            "as function arguments (the importer lifts them)"
        )
    if isinstance(op, lt.ElementwiseBinaryOp) and type(op) not in _binary_table(op.lhs):
        return f"{op.name} on {op.lhs.type.get_element_type()} tensors is not supported"
    if isinstance(op, lt.MatmulOp) and is_boolean(op.lhs):
        return f"{op.name} on i1 tensors is not supported"
    if isinstance(op, lt.ReduceMeanOp) and not is_float(op.input):
        element_type = op.input.type.get_element_type()
        return f"{op.name} on {element_type} tensors is not supported (a mean is a float)"
    return None


def check_supported(op: Operation) -> None:
    """Raise PassFailedException if `unsupported_form` refuses `op`."""
    reason = unsupported_form(op)
    if reason is not None:
        raise PassFailedException(reason)


def _is_splat(op: lt.ConstantOp) -> bool:
    """Whether every element of `op` is the same value (NaN is the same as NaN)."""
    return len(np.unique(dense_to_numpy(op.value), equal_nan=True)) <= 1


@dataclass(frozen=True)
class ConvertLithoTensorToLinalgPass(PatternPass):
    """Lower every `litho_tensor` op to `linalg.generic` on tensors (L1 -> L2).

    Matmuls and means sum in another order than the graph-level interpreter does.
    """

    name = "convert-litho-tensor-to-linalg"
    tolerance: ClassVar[Tolerance] = REASSOCIATE

    def patterns(self) -> list[RewritePattern]:
        # imported here: the movement and attention patterns build on this module's helpers
        from litho.lowering.graph.attention_to_linalg import AttentionPattern
        from litho.lowering.graph.movement_to_linalg import MOVEMENT_PATTERNS

        return [
            *(pattern() for pattern in MOVEMENT_PATTERNS),
            ConstantPattern(),
            BinaryPattern(),
            IntegerDivPattern(),
            UnaryPattern(),
            NumericUnaryPattern(),
            CmpPattern(),
            WherePattern(),
            CastPattern(),
            ShapePattern(),
            MatmulPattern(),
            ReductionPattern(),
            AttentionPattern(),
        ]

    def check_result(self, module: ModuleOp) -> None:
        check_no_ops_of_dialect(module, "litho_tensor", self.name)
