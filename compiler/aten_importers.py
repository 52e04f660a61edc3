"""Importers of core-ATen ops into `litho_tensor`, one small function per op family.

To support a new ATen op, add a function here decorated with
`@register_importer(aten.<op>.<overload>)` that emits `litho_tensor` ops through
`context.emit` and returns the resulting value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np
import torch
import torch.fx
from litho.compiler.errors import LithoError
from litho.compiler.importer import (
    ImportContext,
    computation_type,
    describe,
    register_importer,
)
from litho.dialects import tensor as lt
from litho.dialects import tensor_movement as lm
from litho.dialects.tensor_interpreter import numpy_dtype
from xdsl.dialects.builtin import AnyFloat, IntegerType, TensorType, i1, i64
from xdsl.ir import Attribute, SSAValue

aten = torch.ops.aten

_BINARY = {
    aten.add.Tensor: lt.AddOp,
    aten.add.Scalar: lt.AddOp,
    aten.sub.Tensor: lt.SubOp,
    aten.sub.Scalar: lt.SubOp,
    aten.mul.Tensor: lt.MulOp,
    aten.mul.Scalar: lt.MulOp,
    aten.div.Tensor: lt.DivOp,
    aten.div.Scalar: lt.DivOp,
    aten.maximum.default: lt.MaxOp,
    aten.minimum.default: lt.MinOp,
    aten.pow.Tensor_Tensor: lt.PowOp,
    aten.bitwise_and.Tensor: lt.AndOp,
    aten.bitwise_and.Scalar: lt.AndOp,
    aten.bitwise_or.Tensor: lt.OrOp,
    aten.bitwise_or.Scalar: lt.OrOp,
    aten.bitwise_xor.Tensor: lt.XorOp,
    aten.bitwise_xor.Scalar: lt.XorOp,
}

_LOGICAL = {
    aten.logical_and.default: lt.AndOp,
    aten.logical_or.default: lt.OrOp,
    aten.logical_xor.default: lt.XorOp,
}

_UNARY = {
    aten.neg.default: lt.NegOp,
    aten.exp.default: lt.ExpOp,
    aten.log.default: lt.LogOp,
    aten.tanh.default: lt.TanhOp,
    aten.sqrt.default: lt.SqrtOp,
    aten.rsqrt.default: lt.RsqrtOp,
    aten.erf.default: lt.ErfOp,
    aten.sigmoid.default: lt.SigmoidOp,
    aten.relu.default: lt.ReluOp,
    aten.cos.default: lt.CosOp,
    aten.sin.default: lt.SinOp,
    aten.reciprocal.default: lt.ReciprocalOp,
    aten.abs.default: lt.AbsOp,
}

_COMPARISONS = {
    aten.eq: "eq",
    aten.ne: "ne",
    aten.lt: "lt",
    aten.le: "le",
    aten.gt: "gt",
    aten.ge: "ge",
}


def _value(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return context.values[node]


@register_importer(*_BINARY)
def import_binary(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs_arg, rhs_arg = node.args[:2]
    if node.kwargs.get("rounding_mode") is not None:
        raise LithoError(f"{describe(node)}: rounding_mode is not supported")
    element_type = context.result_type(node).get_element_type()
    lhs, rhs = context.operands([lhs_arg, rhs_arg], element_type)
    alpha = node.kwargs.get("alpha", 1)
    if alpha != 1:
        rhs = context.emit(lt.MulOp(rhs, context.operand(alpha, element_type))).result
    return context.emit(_BINARY[node.target](lhs, rhs)).result


@register_importer(aten.div.Tensor_mode, aten.div.Scalar_mode, aten.floor_divide.default)
def import_rounding_division(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Integer division rounded down (`//`) or toward zero, by a nonzero number.

    Eager raises on a zero divisor, which native code cannot, so a tensor divisor falls
    back to eager; float division with a rounding mode is not supported.
    """
    rounding = _argument(node, 2, "rounding_mode", "floor")
    if node.target == aten.floor_divide.default:
        rounding = "floor"
    element_type = context.result_type(node).get_element_type()
    lhs_arg, divisor = node.args[:2]
    if rounding is None:
        lhs, rhs = context.operands([lhs_arg, divisor], element_type)
        return context.emit(lt.DivOp(lhs, rhs)).result
    if element_type == i1 or not isinstance(element_type, IntegerType):
        raise LithoError(
            f"{describe(node)}: division of {element_type} tensors with rounding_mode "
            f"{rounding!r} is not supported"
        )
    if isinstance(divisor, torch.fx.Node) or divisor == 0:
        raise LithoError(
            f"{describe(node)}: integer division by a tensor is not supported (eager raises "
            "on a zero divisor, which compiled code cannot); divide by a nonzero number"
        )
    lhs, rhs = context.operands([lhs_arg, divisor], element_type)
    return context.emit(lt.IntegerDivOp(lhs, rhs, rounding)).result


@register_importer(*_UNARY)
def import_unary(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    (operand,) = context.operands(node.args[:1], element_type)
    return context.emit(_UNARY[node.target](operand)).result


@register_importer(aten.gelu.default)
def import_gelu(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    approximate = node.kwargs.get("approximate", "none")
    return context.emit(lt.GeluOp(_value(context, node.args[0]), approximate)).result


@register_importer(*_LOGICAL)
def import_logical(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs, rhs = context.operands(node.args[:2], i1)
    result = context.emit(_LOGICAL[node.target](lhs, rhs)).result
    return context.cast(result, context.result_type(node).get_element_type())


@register_importer(aten.logical_not.default, aten.bitwise_not.default)
def import_not(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = _value(context, node.args[0])
    if node.target == aten.bitwise_not.default and element_type != i1:
        return context.emit(lt.XorOp(value, context.operand(-1, element_type))).result
    zero = context.operand(0, value.type.get_element_type())
    return context.cast(context.emit(lt.CmpOp("eq", value, zero)).result, element_type)


_MULTIPLIED_POWERS = (1, 2, 3, 4)


@register_importer(aten.pow.Tensor_Scalar, aten.pow.Scalar)
def import_pow(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Small integral powers multiply, square roots use sqrt, the rest call pow."""
    base, exponent = node.args
    element_type = context.result_type(node).get_element_type()
    if not isinstance(element_type, AnyFloat):
        raise LithoError(f"{describe(node)}: pow of integer tensors is not supported")
    value = context.operand(base, element_type)
    if isinstance(exponent, torch.fx.Node):
        return context.emit(lt.PowOp(value, context.operand(exponent, element_type))).result
    if exponent in _MULTIPLIED_POWERS:
        result = value
        for _ in range(int(exponent) - 1):
            result = context.emit(lt.MulOp(result, value)).result
        return result
    if exponent == 0.5:
        return context.emit(lt.SqrtOp(value)).result
    if exponent == -0.5:
        return context.emit(lt.RsqrtOp(value)).result
    return context.emit(lt.PowOp(value, context.operand(exponent, element_type))).result


@register_importer(
    aten.clamp.default,
    aten.clamp.Tensor,
    aten.clamp_min.default,
    aten.clamp_min.Tensor,
    aten.clamp_max.default,
    aten.clamp_max.Tensor,
)
def import_clamp(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = context.cast(_value(context, node.args[0]), element_type)
    if node.target in (aten.clamp_max.default, aten.clamp_max.Tensor):
        low, high = None, node.args[1]
    else:
        low = _argument(node, 1, "min")
        high = _argument(node, 2, "max")
    if low is not None:
        value = context.emit(lt.MaxOp(value, context.operand(low, element_type))).result
    if high is not None:
        value = context.emit(lt.MinOp(value, context.operand(high, element_type))).result
    return value


def _register_comparisons() -> None:
    for packet, predicate in _COMPARISONS.items():

        def import_comparison(context: ImportContext, node: torch.fx.Node, predicate=predicate):
            element_type = computation_type(node, node.args[:2])
            lhs, rhs = context.operands(node.args[:2], element_type)
            return context.emit(lt.CmpOp(predicate, lhs, rhs)).result

        register_importer(packet.Tensor, packet.Scalar)(import_comparison)


_register_comparisons()


@register_importer(aten.where.self)
def import_where(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    condition = _value(context, node.args[0])
    element_type = context.result_type(node).get_element_type()
    lhs, rhs = context.operands(node.args[1:3], element_type)
    return context.emit(lt.WhereOp(condition, lhs, rhs)).result


@register_importer(
    aten._to_copy.default, aten.clone.default, aten.alias.default, aten.detach.default
)
def import_copy(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    return context.cast(_value(context, node.args[0]), element_type)


_SHAPE_OPS = {
    aten.view.default: lt.ReshapeOp,
    aten.reshape.default: lt.ReshapeOp,
    aten._unsafe_view.default: lt.ReshapeOp,
    aten.unsqueeze.default: lt.ReshapeOp,
    aten.squeeze.dim: lt.ReshapeOp,
    aten.squeeze.dims: lt.ReshapeOp,
    aten.squeeze.default: lt.ReshapeOp,
    aten.expand.default: lt.BroadcastOp,
}


@register_importer(*_SHAPE_OPS)
def import_shape_op(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Views and expands: the result shape comes from the node, nothing to compute."""
    value = _value(context, node.args[0])
    result_type = context.result_type(node)
    if result_type == value.type:
        return value
    return context.emit(_SHAPE_OPS[node.target](value, result_type)).result


@register_importer(aten.permute.default)
def import_permute(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = _value(context, node.args[0])
    rank = value.type.get_num_dims()
    dims = [dim % rank for dim in node.args[1]]
    return context.emit(lt.PermuteOp(value, dims)).result


def _transpose(context: ImportContext, value: SSAValue, first: int, second: int) -> SSAValue:
    rank = value.type.get_num_dims()
    dims = list(range(rank))
    if rank < 2:
        return value
    first, second = first % rank, second % rank
    dims[first], dims[second] = dims[second], dims[first]
    return context.emit(lt.PermuteOp(value, dims)).result


@register_importer(aten.t.default, aten.transpose.int)
def import_transpose(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    first, second = node.args[1:3] if len(node.args) == 3 else (0, 1)
    return _transpose(context, _value(context, node.args[0]), first, second)


@register_importer(aten.mm.default, aten.bmm.default, aten.matmul.default)
def import_matmul(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs, rhs = (_value(context, argument) for argument in node.args[:2])
    if lhs.type.get_num_dims() < 2 or rhs.type.get_num_dims() < 2:
        raise LithoError(f"{describe(node)}: matmul of a 1-d operand is not supported")
    return context.emit(lt.MatmulOp(lhs, rhs)).result


@register_importer(aten.addmm.default)
def import_addmm(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    bias, lhs, rhs = (_value(context, argument) for argument in node.args[:3])
    element_type = context.result_type(node).get_element_type()
    product = context.emit(lt.MatmulOp(lhs, rhs)).result
    alpha, beta = node.kwargs.get("alpha", 1), node.kwargs.get("beta", 1)
    if alpha != 1:
        product = context.emit(lt.MulOp(product, context.operand(alpha, element_type))).result
    if beta != 1:
        bias = context.emit(lt.MulOp(bias, context.operand(beta, element_type))).result
    return context.emit(lt.AddOp(product, bias)).result


def _argument(node: torch.fx.Node, index: int, name: str, default=None):
    """The argument at `index` of `node`'s schema, passed by position or by `name`."""
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name, default)


def _reduction_dims(rank: int, dims: Sequence[int] | None) -> list[int]:
    if dims is None or len(dims) == 0:
        return list(range(rank))
    return [dim % rank if rank else 0 for dim in dims]


def _reduce(context: ImportContext, node: torch.fx.Node, op_type: type) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = context.cast(_value(context, node.args[0]), element_type)
    if value.type.get_num_dims() == 0:
        return value
    dims = _reduction_dims(value.type.get_num_dims(), _argument(node, 1, "dim"))
    keepdim = bool(_argument(node, 2, "keepdim", False))
    return context.emit(op_type(value, dims, keepdim)).result


@register_importer(aten.sum.dim_IntList, aten.sum.default)
def import_sum(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return _reduce(context, node, lt.ReduceSumOp)


@register_importer(aten.mean.dim, aten.mean.default)
def import_mean(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return _reduce(context, node, lt.ReduceMeanOp)


@register_importer(aten.amax.default, aten.max.default)
def import_amax(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return _reduce(context, node, lt.ReduceMaxOp)


@register_importer(aten.amin.default, aten.min.default)
def import_amin(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return _reduce(context, node, lt.ReduceMinOp)


_EXTREMES = {
    aten.argmax.default: lt.ReduceMaxOp,
    aten.argmin.default: lt.ReduceMinOp,
    aten.max.dim: lt.ReduceMaxOp,
    aten.min.dim: lt.ReduceMinOp,
}


def _first_index_of_extreme(
    context: ImportContext, value: SSAValue, dim: int, keepdim: bool, extreme_type: type
) -> tuple[SSAValue, SSAValue]:
    """The largest (smallest) element along `dim` and the index of its first occurrence.

    NaN counts as the extreme, as torch has it: the first NaN wins.
    """
    extreme = context.emit(extreme_type(value, [dim], keepdim=True)).result
    hit = context.emit(lt.CmpOp("eq", value, extreme)).result
    if isinstance(value.type.get_element_type(), AnyFloat):
        is_nan = context.emit(lt.CmpOp("ne", value, value)).result
        hit = context.emit(lt.OrOp(hit, is_nan)).result
    shape = value.type.get_shape()
    positions = context.emit(lm.IotaOp(TensorType(i64, shape), dim)).result
    past_the_end = context.operand(shape[dim], i64)
    candidates = context.emit(lt.WhereOp(hit, positions, past_the_end)).result
    index = context.emit(lt.ReduceMinOp(candidates, [dim], keepdim)).result
    extreme_type = TensorType(extreme.type.get_element_type(), index.type.get_shape())
    return _reshaped(context, extreme, extreme_type), index


@register_importer(aten.argmax.default, aten.argmin.default)
def import_argmax(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """The index of the first largest (smallest) element; over all elements without `dim`."""
    value = context.values[node.args[0]]
    dim = _argument(node, 1, "dim")
    keepdim = bool(_argument(node, 2, "keepdim", False))
    if dim is None or value.type.get_num_dims() == 0:
        flat_type = TensorType(value.type.get_element_type(), [value.type.element_count()])
        value = context.emit(lt.ReshapeOp(value, flat_type)).result
        dim = 0
    dim %= value.type.get_num_dims()
    _, index = _first_index_of_extreme(context, value, dim, keepdim, _EXTREMES[node.target])
    return _reshaped(context, index, context.result_type(node))


@register_importer(aten.max.dim, aten.min.dim)
def import_max_with_index(
    context: ImportContext, node: torch.fx.Node
) -> tuple[SSAValue, SSAValue]:
    """`x.max(dim)`: the largest elements and the index of each one's first occurrence."""
    value = context.values[node.args[0]]
    keepdim = bool(_argument(node, 2, "keepdim", False))
    if value.type.get_num_dims() == 0:
        return value, context.emit(lt.ConstantOp.splat(0, TensorType(i64, []))).result
    dim = node.args[1] % value.type.get_num_dims()
    return _first_index_of_extreme(context, value, dim, keepdim, _EXTREMES[node.target])


def _reshaped(context: ImportContext, value: SSAValue, result_type: TensorType) -> SSAValue:
    if value.type == result_type:
        return value
    return context.emit(lt.ReshapeOp(value, result_type)).result


def _variance_and_mean(
    context: ImportContext, node: torch.fx.Node
) -> tuple[SSAValue, SSAValue]:
    value = _value(context, node.args[0])
    dims = _reduction_dims(value.type.get_num_dims(), _argument(node, 1, "dim"))
    correction = node.kwargs.get("correction", 1)
    keepdim = bool(node.kwargs.get("keepdim", False))
    mean_kept = context.emit(lt.ReduceMeanOp(value, dims, keepdim=True)).result
    centered = context.emit(lt.SubOp(value, mean_kept)).result
    squares = context.emit(lt.MulOp(centered, centered)).result
    total = context.emit(lt.ReduceSumOp(squares, dims, keepdim)).result
    count = math.prod(value.type.get_shape()[dim] for dim in dims)
    element_type = value.type.get_element_type()
    divisor = context.operand(max(count - correction, 0), element_type)
    variance = context.emit(lt.DivOp(total, divisor)).result
    mean = mean_kept
    if not keepdim:
        result_type = TensorType(element_type, variance.type.get_shape())
        mean = context.emit(lt.ReshapeOp(mean_kept, result_type)).result
    return variance, mean


@register_importer(aten.var_mean.correction)
def import_var_mean(context: ImportContext, node: torch.fx.Node) -> tuple[SSAValue, SSAValue]:
    return _variance_and_mean(context, node)


@register_importer(aten.var.correction)
def import_var(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return _variance_and_mean(context, node)[0]


@register_importer(aten.any.dim, aten.any.dims, aten.any.default)
def import_any(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Whether any element is nonzero: the maximum of the elements as 0/1 integers."""
    value = context.cast(_value(context, node.args[0]), i1)
    if value.type.get_num_dims() == 0:
        return value
    as_integers = context.cast(value, i64)
    dims = _argument(node, 1, "dim")
    dims = [dims] if isinstance(dims, int) else dims
    keepdim = bool(_argument(node, 2, "keepdim", False))
    reduced_dims = _reduction_dims(value.type.get_num_dims(), dims)
    largest = context.emit(lt.ReduceMaxOp(as_integers, reduced_dims, keepdim)).result
    return context.cast(largest, i1)


MAX_HISTOGRAM_BINS = 1024


@register_importer(aten.histc.default)
def import_histc(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`torch.histc`: how many elements fall in each of `bins` equal bins from `min` to
    `max` (the last bin holds `max` too; NaN and elements outside are not counted).

    The bin edges are the ones eager uses, `torch.linspace(min, max, bins + 1)`, computed
    here; each element is compared with them, so `elements x bins` comparisons.
    """
    bins = _argument(node, 1, "bins", 100)
    low, high = _argument(node, 2, "min", 0), _argument(node, 3, "max", 0)
    if low >= high or bins > MAX_HISTOGRAM_BINS:
        raise LithoError(
            f"{describe(node)}: histc needs min < max (without them eager takes the range "
            f"from the data) and at most {MAX_HISTOGRAM_BINS} bins"
        )
    value = _value(context, node.args[0])
    element_type = value.type.get_element_type()
    dtype = node.args[0].meta["val"].dtype
    edges = torch.linspace(low, high, bins + 1, dtype=dtype).tolist()
    edges[-1] = float(np.nextafter(np.array(high, dtype=numpy_dtype(element_type)), np.inf))
    column = context.emit(
        lt.ReshapeOp(value, TensorType(element_type, [value.type.element_count(), 1]))
    ).result
    lower = _vector(context, edges[:-1], element_type)
    upper = _vector(context, edges[1:], element_type)
    above = context.emit(lt.CmpOp("ge", column, lower)).result
    below = context.emit(lt.CmpOp("lt", column, upper)).result
    inside = context.cast(context.emit(lt.AndOp(above, below)).result, element_type)
    return context.emit(lt.ReduceSumOp(inside, [0])).result


def _vector(
    context: ImportContext, values: Sequence[float], element_type: Attribute
) -> SSAValue:
    """A 1-d tensor of `values`: splat constants joined (constants must be splats)."""
    pieces = [
        context.emit(lt.ConstantOp.splat(item, TensorType(element_type, [1]))).result
        for item in values
    ]
    if len(pieces) == 1:
        return pieces[0]
    return context.emit(lm.ConcatOp(pieces, 0)).result


@register_importer(aten._assert_tensor_metadata.default)
def import_metadata_assertion(context: ImportContext, node: torch.fx.Node) -> None:
    """Shapes and dtypes are static and checked by the verifier: nothing to emit."""
    return None


@register_importer(operator.getitem)
def import_getitem(context: ImportContext, node: torch.fx.Node):
    produced, index = node.args
    return context.values[produced][index]
