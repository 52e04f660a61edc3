"""Importers of the ATen ops that create, slice, join and index tensors.

Tensor creation (`full`, `arange`, ...) becomes constants and `iota`; slicing and
splitting become `litho_tensor.slice`; embedding lookups, advanced indexing and
`gather` become `take` and `gather`. Shapes come from each node's recorded value, so
the importers only work out where elements come from.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.fx
from litho.compiler.errors import LithoError
from litho.compiler.frontend.importer import (
    TAKES_EMPTY_OPERANDS,
    ImportContext,
    describe,
    is_empty,
    register_importer,
)
from litho.dialects import tensor as lt
from litho.dialects.tensor import movement as lm
from xdsl.dialects.builtin import IntegerType, TensorType, i64
from xdsl.ir import SSAValue

aten = torch.ops.aten

_FULL_VALUES = {
    aten.zeros.default: 0,
    aten.zeros_like.default: 0,
    aten.new_zeros.default: 0,
    aten.ones.default: 1,
    aten.ones_like.default: 1,
    aten.new_ones.default: 1,
    # uninitialized in eager (any value will do): zeros
    aten.empty.memory_format: 0,
    aten.empty_like.default: 0,
    aten.empty_permuted.default: 0,
}


@register_importer(*_FULL_VALUES)
def import_zeros_ones(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    constant = lt.ConstantOp.splat(_FULL_VALUES[node.target], context.result_type(node))
    return context.emit(constant).result


@register_importer(aten.full.default, aten.full_like.default, aten.new_full.default)
def import_full(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = node.args[2] if node.target == aten.new_full.default else node.args[1]
    return context.emit(lt.ConstantOp.splat(value, context.result_type(node))).result


@register_importer(aten.scalar_tensor.default)
def import_scalar_tensor(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    return context.emit(lt.ConstantOp.splat(node.args[0], context.result_type(node))).result


@register_importer(aten.arange.default, aten.arange.start, aten.arange.start_step)
def import_arange(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`start + i * step` for each index `i` of the result."""
    result_type = context.result_type(node)
    element_type = result_type.get_element_type()
    start, step = (0, 1) if node.target == aten.arange.default else (node.args[0], 1)
    if node.target == aten.arange.start_step and len(node.args) > 2:
        step = node.args[2]
    value = context.emit(lm.IotaOp(result_type, 0)).result
    if step != 1:
        value = context.emit(lt.MulOp(value, context.operand(step, element_type))).result
    if start != 0:
        value = context.emit(lt.AddOp(value, context.operand(start, element_type))).result
    return value


def _dim(node: torch.fx.Node, dim: int) -> int:
    rank = node.args[0].meta["val"].dim()
    return dim % rank if rank else 0


def slice_along(
    context: ImportContext, value: SSAValue, dim: int, start: int, step: int, size: int
) -> SSAValue:
    """Elements `start, start + step, ...` (`size` of them) of `value` along `dim`."""
    if start == 0 and step == 1 and size == value.type.get_shape()[dim]:
        return value
    return context.emit(lm.SliceOp(value, dim, start, step, size)).result


@register_importer(aten.slice.Tensor)
def import_slice(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = context.values[node.args[0]]
    dim = _dim(node, node.args[1] if len(node.args) > 1 else 0)
    start = node.args[2] if len(node.args) > 2 and node.args[2] is not None else 0
    step = node.args[4] if len(node.args) > 4 else 1
    size = value.type.get_shape()[dim]
    start = min(max(start + size if start < 0 else start, 0), size)
    result_size = context.result_type(node).get_shape()[dim]
    return slice_along(context, value, dim, start, step, result_size)


@register_importer(aten.select.int)
def import_select(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = context.values[node.args[0]]
    dim = _dim(node, node.args[1])
    index = node.args[2] % value.type.get_shape()[dim]
    picked = slice_along(context, value, dim, index, 1, 1)
    return context.emit(lt.ReshapeOp(picked, context.result_type(node))).result


@register_importer(aten.split_with_sizes.default, aten.split.Tensor)
def import_split(context: ImportContext, node: torch.fx.Node) -> list[SSAValue]:
    value = context.values[node.args[0]]
    dim = _dim(node, node.args[2] if len(node.args) > 2 else 0)
    pieces = []
    start = 0
    for piece in node.meta["val"]:
        size = piece.shape[dim]
        pieces.append(slice_along(context, value, dim, start, 1, size))
        start += size
    return pieces


TAKES_EMPTY_OPERANDS.add(aten.cat.default)


@register_importer(aten.repeat.default)
def import_repeat(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`x.repeat(r0, r1, ...)` tiles each dim: `x` viewed as `[1, s0, 1, s1, ...]`, broadcast
    to `[r0, s0, r1, s1, ...]`, then merged to `[r0 * s0, r1 * s1, ...]`."""
    value = context.values[node.args[0]]
    repeats = list(node.args[1])
    shape = [1] * (len(repeats) - value.type.get_num_dims()) + list(value.type.get_shape())
    element_type = value.type.get_element_type()
    spread = [size for dim_size in shape for size in (1, dim_size)]
    tiled = [size for pair in zip(repeats, shape, strict=True) for size in pair]
    viewed = context.emit(lt.ReshapeOp(value, TensorType(element_type, spread))).result
    broadcast = context.emit(lt.BroadcastOp(viewed, TensorType(element_type, tiled))).result
    return context.emit(lt.ReshapeOp(broadcast, context.result_type(node))).result


@register_importer(aten.cat.default)
def import_cat(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    result_type = context.result_type(node)
    element_type = result_type.get_element_type()
    dim = node.args[1] % result_type.get_num_dims() if len(node.args) > 1 else 0
    pieces = [
        context.cast(context.values[piece], element_type)
        for piece in node.args[0]
        if not is_empty(piece)
    ]
    if len(pieces) == 1:
        return pieces[0]
    return context.emit(lm.ConcatOp(pieces, dim)).result


def _at_least_1d(context: ImportContext, value: SSAValue) -> SSAValue:
    """A 0-d tensor as a 1-element 1-d one: torch lets dim-taking ops treat it so."""
    if value.type.get_num_dims():
        return value
    shaped = TensorType(value.type.get_element_type(), [1])
    return context.emit(lt.ReshapeOp(value, shaped)).result


def _as_result(context: ImportContext, node: torch.fx.Node, value: SSAValue) -> SSAValue:
    """`value` reshaped to `node`'s result shape (undoing `_at_least_1d`)."""
    result_type = context.result_type(node)
    if value.type.get_shape() == result_type.get_shape():
        return value
    return context.emit(lt.ReshapeOp(value, result_type)).result


@register_importer(aten.cumsum.default)
def import_cumsum(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = _at_least_1d(context, context.cast(context.values[node.args[0]], element_type))
    summed = context.emit(lm.CumsumOp(value, _dim(node, node.args[1]))).result
    return _as_result(context, node, summed)


def _checked(
    context: ImportContext, node: torch.fx.Node, indices: SSAValue, source: SSAValue,
    dim: int, wrap: bool,
) -> SSAValue:
    """`indices` into `dim` of `source`, checked as eager checks them: negative ones
    wrapped (`wrap`) or an error, too large ones an error."""
    size = source.type.get_shape()[dim]
    return context.emit(lm.CheckBoundsOp(indices, size, dim, describe(node), wrap)).result


def _sorted(
    context: ImportContext, node: torch.fx.Node, dim: int, descending: bool, count: int | None
) -> tuple[SSAValue, SSAValue]:
    """The values of `node`'s input sorted along `dim`, and their indices; the first
    `count` of them along `dim` when `count` is given."""
    value = context.values[node.args[0]]
    if value.type.get_num_dims() == 0:
        return value, context.emit(lt.ConstantOp.splat(0, TensorType(i64, []))).result
    dim = _dim(node, dim)
    sort = context.emit(lm.SortOp(value, dim, descending))
    if count is None:
        return sort.values, sort.indices
    return tuple(slice_along(context, result, dim, 0, 1, count) for result in sort.results)


@register_importer(aten.sort.default, aten.sort.stable)
def import_sort(context: ImportContext, node: torch.fx.Node) -> tuple[SSAValue, SSAValue]:
    """`torch.sort`, stable: equal elements keep their order (eager's default sort may
    order them otherwise, so their indices can differ; the values cannot)."""
    if node.target == aten.sort.stable:
        dim, descending = node.kwargs.get("dim", -1), node.kwargs.get("descending", False)
    else:
        dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", -1)
        descending = node.args[2] if len(node.args) > 2 else node.kwargs.get("descending", False)
    return _sorted(context, node, dim, bool(descending), None)


@register_importer(aten.topk.default)
def import_topk(context: ImportContext, node: torch.fx.Node) -> tuple[SSAValue, SSAValue]:
    """`torch.topk`: the first `k` of a stable sort, largest first unless `largest=False`.

    Equal elements come in index order (eager leaves their order unspecified), and the
    result is sorted even with `sorted=False` (whose order eager leaves unspecified too).
    """
    k = node.args[1]
    dim = node.args[2] if len(node.args) > 2 else node.kwargs.get("dim", -1)
    largest = node.args[3] if len(node.args) > 3 else node.kwargs.get("largest", True)
    return _sorted(context, node, dim, bool(largest), k)


@register_importer(aten.embedding.default)
def import_embedding(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    weight, indices = (context.values[argument] for argument in node.args[:2])
    indices = _checked(context, node, indices, weight, 0, wrap=False)
    return context.emit(lm.TakeOp(weight, indices, 0)).result


@register_importer(aten.gather.default)
def import_gather(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    if node.kwargs.get("sparse_grad"):
        raise LithoError(f"{describe(node)}: sparse_grad is not supported")
    value = _at_least_1d(context, context.values[node.args[0]])
    index = _at_least_1d(context, context.values[node.args[2]])
    if index.type.get_num_dims() != value.type.get_num_dims():
        raise LithoError(f"{describe(node)}: index and input ranks differ")
    dim = _dim(node, node.args[1])
    index = _checked(context, node, index, value, dim, wrap=False)
    gathered = context.emit(lm.GatherOp(value, index, dim)).result
    return _as_result(context, node, gathered)


@register_importer(aten.index_select.default)
def import_index_select(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    value = _at_least_1d(context, context.values[node.args[0]])
    dim = _dim(node, node.args[1])
    indices = _checked(context, node, context.values[node.args[2]], value, dim, wrap=False)
    taken = context.emit(lm.TakeOp(value, indices, dim)).result
    return _as_result(context, node, taken)


def _index_positions(node: torch.fx.Node, indices: list) -> list[int]:
    """The dims `indices` (an `aten.index` or `index_put` list) index with tensors."""
    used = [position for position, index in enumerate(indices) if index is not None]
    if not used:
        raise LithoError(f"{describe(node)}: indexing without an index tensor is not supported")
    if any(indices[position].meta["val"].dtype == torch.bool for position in used):
        raise LithoError(
            f"{describe(node)}: indexing with a boolean mask selects a data-dependent "
            "number of elements, which litho does not support; use torch.where instead"
        )
    if len(used) > 1 and used != list(range(len(used))):
        raise LithoError(
            f"{describe(node)}: index tensors must be on the leading dims, or only one"
        )
    return used


def _flattened(
    context: ImportContext, node: torch.fx.Node, value: SSAValue, indices: list, count: int
) -> tuple[SSAValue, SSAValue]:
    """`value` with its first `count` dims flattened into one, and the checked index
    tensors of those dims as one linear index into it."""
    shape = value.type.get_shape()
    linear: SSAValue | None = None
    for position in range(count):
        index = context.cast(context.values[indices[position]], i64)
        index = _checked(context, node, index, value, position, wrap=True)
        stride = math.prod(shape[position + 1 : count])
        if stride != 1:
            index = context.emit(lt.MulOp(index, context.operand(stride, i64))).result
        linear = index if linear is None else context.emit(lt.AddOp(linear, index)).result
    assert linear is not None
    flat_shape = [math.prod(shape[:count]), *shape[count:]]
    flat_type = TensorType(value.type.get_element_type(), flat_shape)
    return context.emit(lt.ReshapeOp(value, flat_type)).result, linear


@register_importer(aten.index.Tensor)
def import_index(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`x[i0, i1, ...]` with integer index tensors on leading dims, or one on any dim.

    Several index tensors become one linear index into `x` with its leading dims
    flattened, then a `take`.
    """
    value = context.values[node.args[0]]
    indices = list(node.args[1])
    used = _index_positions(node, indices)
    if len(used) == 1:
        index = context.values[indices[used[0]]]
        index = _checked(context, node, index, value, used[0], wrap=True)
        return context.emit(lm.TakeOp(value, index, used[0])).result
    flat, linear = _flattened(context, node, value, indices, len(used))
    return context.emit(lm.TakeOp(flat, linear, 0)).result


@register_importer(aten.index_put.default, aten._unsafe_index_put.default)
def import_index_put(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`x[i0, i1, ...] = values` (or `+=` with `accumulate`): the index forms `x[...]`
    reads, as a `scatter`. Where an index repeats, the last write wins (eager leaves
    which one unspecified)."""
    value = context.values[node.args[0]]
    indices = list(node.args[1])
    accumulate = bool(node.args[3] if len(node.args) > 3 else node.kwargs.get("accumulate"))
    result_type = context.result_type(node)
    element_type = result_type.get_element_type()
    if accumulate and element_type == IntegerType(1):
        raise LithoError(f"{describe(node)}: accumulating into a bool tensor is not supported")
    used = _index_positions(node, indices)
    if len(used) == 1:
        dest, dim = value, used[0]
        index = _checked(context, node, context.values[indices[dim]], value, dim, wrap=True)
    else:
        (dest, index), dim = _flattened(context, node, value, indices, len(used)), 0
    updates_shape = lm.take_shape(dest.type.get_shape(), index.type.get_shape(), dim)
    updates = context.cast(context.values[node.args[2]], element_type)
    if tuple(updates.type.get_shape()) != tuple(updates_shape):
        updates = context.emit(
            lt.BroadcastOp(updates, TensorType(element_type, updates_shape))
        ).result
    scattered = context.emit(lm.ScatterOp(dest, index, updates, dim, accumulate)).result
    return _as_result(context, node, scattered)


@register_importer(aten.as_strided.default)
def import_as_strided(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`x.as_strided(size, stride, offset)` of a contiguous `x`: result element `i` is
    element `offset + sum(i[d] * stride[d])` of `x` in row-major order.

    A reshape when those positions are in order (as the decomposition of
    `adaptive_avg_pool1d` makes), else a `take` of the flattened `x` at positions computed
    from `iota`s. Positions are checked here, against the static shapes.
    """
    source = node.args[0].meta["val"]
    size, stride = list(node.args[1]), list(node.args[2])
    offset = node.args[3] if len(node.args) > 3 and node.args[3] is not None else None
    start = 0 if offset is None else offset - source.storage_offset()
    if not source.is_contiguous():
        raise LithoError(
            f"{describe(node)}: as_strided of a non-contiguous tensor is not supported"
        )
    if offset is not None and node.args[0].op == "placeholder":
        raise LithoError(
            f"{describe(node)}: as_strided with a storage offset reads an input's storage, "
            "which can differ from call to call; litho does not support it"
        )
    grid = np.indices(size, dtype=np.int64)
    positions = start + sum((grid[dim] * stride[dim] for dim in range(len(size))), np.int64(0))
    if positions.size and (positions.min() < 0 or positions.max() >= source.numel()):
        raise LithoError(
            f"{describe(node)}: as_strided reads outside the {source.numel()} elements of its "
            "input, which litho does not support"
        )
    value = context.values[node.args[0]]
    result_type = context.result_type(node)
    if np.array_equal(np.ravel(positions), np.arange(positions.size)):
        return context.emit(lt.ReshapeOp(value, result_type)).result
    flat_type = TensorType(value.type.get_element_type(), [source.numel()])
    flat = context.emit(lt.ReshapeOp(value, flat_type)).result
    index = context.operand(start, i64)
    for dim, dim_stride in enumerate(stride):
        if dim_stride == 0 or size[dim] == 1:
            continue
        along = context.emit(lm.IotaOp(TensorType(i64, size), dim)).result
        scaled = context.emit(lt.MulOp(along, context.operand(dim_stride, i64))).result
        index = context.emit(lt.AddOp(scaled, index)).result
    if index.type.get_shape() != tuple(size):
        index = context.emit(lt.BroadcastOp(index, TensorType(i64, size))).result
    return context.emit(lm.TakeOp(flat, index, 0)).result
