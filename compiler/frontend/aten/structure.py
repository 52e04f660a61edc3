"""Importers of core-ATen views, permutes, matmuls and reductions.

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
from litho.compiler.frontend.importer import (
    ImportContext,
    describe,
    node_argument,
    register_importer,
)
from litho.dialects import tensor as lt
from litho.dialects.tensor import movement as lm
from litho.dialects.types import numpy_dtype
from xdsl.dialects.builtin import AnyFloat, TensorType, i1, i64
from xdsl.ir import Attribute, SSAValue

aten = torch.ops.aten


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
    value = context.values[node.args[0]]
    result_type = context.result_type(node)
    if result_type == value.type:
        return value
    return context.emit(_SHAPE_OPS[node.target](value, result_type)).result


@register_importer(aten.permute.default)
def import_permute(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = context.values[node.args[0]]
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
    return _transpose(context, context.values[node.args[0]], first, second)


@register_importer(aten.mm.default, aten.bmm.default, aten.matmul.default)
def import_matmul(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs, rhs = (context.values[argument] for argument in node.args[:2])
    if lhs.type.get_num_dims() < 2 or rhs.type.get_num_dims() < 2:
        raise LithoError(f"{describe(node)}: matmul of a 1-d operand is not supported")
    return context.emit(lt.MatmulOp(lhs, rhs)).result


@register_importer(aten.addmm.default)
def import_addmm(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    bias, lhs, rhs = (context.values[argument] for argument in node.args[:3])
    element_type = context.result_type(node).get_element_type()
    product = context.emit(lt.MatmulOp(lhs, rhs)).result
    alpha, beta = node.kwargs.get("alpha", 1), node.kwargs.get("beta", 1)
    if alpha != 1:
        product = context.emit(lt.MulOp(product, context.operand(alpha, element_type))).result
    if beta != 1:
        bias = context.emit(lt.MulOp(bias, context.operand(beta, element_type))).result
    return context.emit(lt.AddOp(product, bias)).result


def _reduction_dims(rank: int, dims: Sequence[int] | None) -> list[int]:
    if dims is None or len(dims) == 0:
        return list(range(rank))
    return [dim % rank if rank else 0 for dim in dims]


def _reduce(context: ImportContext, node: torch.fx.Node, op_type: type) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = context.cast(context.values[node.args[0]], element_type)
    if value.type.get_num_dims() == 0:
        return value
    dims = _reduction_dims(value.type.get_num_dims(), node_argument(node, 1, "dim"))
    keepdim = bool(node_argument(node, 2, "keepdim", False))
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
    dim = node_argument(node, 1, "dim")
    keepdim = bool(node_argument(node, 2, "keepdim", False))
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
    keepdim = bool(node_argument(node, 2, "keepdim", False))
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
    value = context.values[node.args[0]]
    dims = _reduction_dims(value.type.get_num_dims(), node_argument(node, 1, "dim"))
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
    value = context.cast(context.values[node.args[0]], i1)
    if value.type.get_num_dims() == 0:
        return value
    as_integers = context.cast(value, i64)
    dims = node_argument(node, 1, "dim")
    dims = [dims] if isinstance(dims, int) else dims
    keepdim = bool(node_argument(node, 2, "keepdim", False))
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
    bins = node_argument(node, 1, "bins", 100)
    low, high = node_argument(node, 2, "min", 0), node_argument(node, 3, "max", 0)
    if low >= high or bins > MAX_HISTOGRAM_BINS:
        raise LithoError(
            f"{describe(node)}: histc needs min < max (without them eager takes the range "
            f"from the data) and at most {MAX_HISTOGRAM_BINS} bins"
        )
    value = context.values[node.args[0]]
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
