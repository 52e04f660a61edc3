"""Importers of the ATen ops of convolutional networks.

Convolutions and pooling become `litho_tensor.pad` (when they pad) followed by `conv`
or `pool`; a bias and eval-mode batch norm become elementwise ops on per-channel
parameters reshaped to `[C, 1, ...]`, which the fusion stage can fold into one loop.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import torch
import torch.fx
from litho.compiler.errors import LithoError
from litho.compiler.frontend.aten.data import slice_along
from litho.compiler.frontend.importer import (
    ImportContext,
    describe,
    register_importer,
)
from litho.dialects import tensor as lt
from litho.dialects.tensor import windows as lw
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

aten = torch.ops.aten


def _per_dim(values, count: int) -> list[int]:
    """An int or list argument as one value per spatial dim."""
    values = [values] if isinstance(values, int) else list(values)
    return values * count if len(values) == 1 else values


def _per_channel(context: ImportContext, value: SSAValue, rank: int) -> SSAValue:
    """A `[C]` parameter reshaped to `[C, 1, ...]` to broadcast over `[N, C, ...]`."""
    shape = [value.type.get_shape()[0]] + [1] * (rank - 2)
    shaped = TensorType(value.type.get_element_type(), shape)
    return context.emit(lt.ReshapeOp(value, shaped)).result


def _pad_spatial(
    context: ImportContext, value: SSAValue, low: list[int], high: list[int], fill: float
) -> SSAValue:
    if not any(low) and not any(high):
        return value
    leading = [0] * (value.type.get_num_dims() - len(low))
    return context.emit(lw.PadOp(value, leading + low, leading + high, fill)).result


@dataclass(frozen=True)
class _Windows:
    """How pooling reaches `node`'s output sizes: the window taps that can read the padded
    input, and the padding each spatial dim needs after it.

    A tap past the padded input reads only fill, which max and sum ignore, so the window
    keeps only taps that can reach it: EfficientNet's ceil_mode head pools a 1x1 map with
    a window of its channel count, which then costs one tap, as in eager. `high` is what
    the last window reads past the input (more than `padding` with ceil_mode, negative
    when the input has elements no window reads).
    """

    taps: list[int]
    stride: list[int]
    dilation: list[int]
    padding: list[int]
    high: list[int]
    out_sizes: list[int]
    fits: bool  # every whole window lies in the input and its padding


def _windows(
    node: torch.fx.Node, value: SSAValue, window: list[int], stride: list[int],
    padding: list[int], dilation: list[int],
) -> _Windows:
    spatial_in = value.type.get_shape()[-len(window):]
    result = node.meta["val"]
    result = result[0] if isinstance(result, tuple | list) else result
    out_sizes = list(result.shape[-len(window) :])
    taps, high, fits = [], [], True
    for size, out, k, s, pad, d in zip(
        spatial_in, out_sizes, window, stride, padding, dilation, strict=True
    ):
        fits = fits and (out - 1) * s + d * (k - 1) + 1 <= size + 2 * pad
        k = min(k, (size + 2 * pad - 1) // d + 1)
        taps.append(k)
        high.append((out - 1) * s + d * (k - 1) + 1 - size - pad)
    return _Windows(taps, stride, dilation, padding, high, out_sizes, fits)


def _pool(
    context: ImportContext, x: SSAValue, kind: str, windows: _Windows, low: list[int],
    high: list[int], fill: float,
) -> SSAValue:
    """`kind` pooling of `x` padded by `low` and `high` (with `fill`), cut to the output
    sizes (a negative `high` leaves elements no window reads, which could add outputs)."""
    padded = _pad_spatial(context, x, low, [max(after, 0) for after in high], fill)
    pool = lw.PoolOp(padded, kind, windows.taps, windows.stride, windows.dilation)
    pooled = context.emit(pool).result
    first_spatial = pooled.type.get_num_dims() - len(windows.taps)
    for offset, out in enumerate(windows.out_sizes):
        pooled = slice_along(context, pooled, first_spatial + offset, 0, 1, out)
    return pooled


def _uses_output_beyond_first(node: torch.fx.Node) -> bool:
    """Whether anything reads an output of `node` other than its first."""
    return any(
        user.target is not operator.getitem or (user.args[1] != 0 and user.users)
        for user in node.users
    )


@register_importer(aten.convolution.default)
def import_convolution(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    x, weight = context.values[node.args[0]], context.values[node.args[1]]
    bias, stride, padding, dilation, transposed, _, groups = node.args[2:9]
    if transposed:
        raise LithoError(f"{describe(node)}: transposed convolution is not supported")
    spatial = x.type.get_num_dims() - 2
    padding = _per_dim(padding, spatial)
    x = _pad_spatial(context, x, padding, padding, 0.0)
    result = context.emit(
        lw.ConvOp(x, weight, _per_dim(stride, spatial), _per_dim(dilation, spatial), groups)
    ).result
    if bias is not None:
        shaped = _per_channel(context, context.values[bias], spatial + 2)
        result = context.emit(lt.AddOp(result, shaped)).result
    return result


@register_importer(aten.constant_pad_nd.default)
def import_constant_pad(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """`F.pad(x, pad, value=v)`: `pad` holds (before, after) pairs from the last dim back."""
    x = context.values[node.args[0]]
    pad = list(node.args[1])
    value = node.args[2] if len(node.args) > 2 else 0.0
    if min(pad, default=0) < 0:
        raise LithoError(f"{describe(node)}: negative padding (cropping) is not supported")
    rank = x.type.get_num_dims()
    low, high = [0] * rank, [0] * rank
    for pair in range(len(pad) // 2):
        low[rank - 1 - pair], high[rank - 1 - pair] = pad[2 * pair], pad[2 * pair + 1]
    padded = _pad_spatial(context, x, low, high, value)
    return context.cast(padded, context.result_type(node).get_element_type())


@register_importer(aten._native_batch_norm_legit_no_training.default)
def import_batch_norm(context: ImportContext, node: torch.fx.Node) -> tuple:
    """`(x - mean) * rsqrt(var + eps) * weight + bias` with the running statistics."""
    if _uses_output_beyond_first(node):
        raise LithoError(f"{describe(node)}: only the normalized output is supported")
    x = context.values[node.args[0]]
    weight, bias, mean, variance = node.args[1:5]
    eps = node.args[6]
    rank = x.type.get_num_dims()
    element_type = x.type.get_element_type()
    mean = _per_channel(context, context.values[mean], rank)
    variance = _per_channel(context, context.values[variance], rank)
    shifted = context.emit(lt.AddOp(variance, context.operand(eps, element_type))).result
    scale = context.emit(lt.RsqrtOp(shifted)).result
    if weight is not None:
        weight = _per_channel(context, context.values[weight], rank)
        scale = context.emit(lt.MulOp(scale, weight)).result
    centered = context.emit(lt.SubOp(x, mean)).result
    result = context.emit(lt.MulOp(centered, scale)).result
    if bias is not None:
        bias = _per_channel(context, context.values[bias], rank)
        result = context.emit(lt.AddOp(result, bias)).result
    return (result, None, None)


@register_importer(aten.max_pool2d_with_indices.default, aten.max_pool3d_with_indices.default)
def import_max_pool(context: ImportContext, node: torch.fx.Node) -> tuple:
    if _uses_output_beyond_first(node):
        raise LithoError(f"{describe(node)}: the indices output of max pooling is not supported")
    x = context.values[node.args[0]]
    window = list(node.args[1])
    count = len(window)
    stride = _per_dim(node.args[2], count) if len(node.args) > 2 and node.args[2] else window
    padding = _per_dim(node.args[3] if len(node.args) > 3 else 0, count)
    dilation = _per_dim(node.args[4] if len(node.args) > 4 else 1, count)
    windows = _windows(node, x, window, stride, padding, dilation)
    return (_pool(context, x, "max", windows, padding, windows.high, -math.inf), None)


@register_importer(aten.avg_pool2d.default, aten.avg_pool1d.default, aten.avg_pool3d.default)
def import_avg_pool(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    x = context.values[node.args[0]]
    window = _per_dim(node.args[1], x.type.get_num_dims() - 2)
    count = len(window)
    stride = _per_dim(node.args[2], count) if len(node.args) > 2 and node.args[2] else window
    padding = _per_dim(node.args[3] if len(node.args) > 3 else 0, count)
    count_include_pad = node.args[5] if len(node.args) > 5 else True
    divisor_override = node.args[6] if len(node.args) > 6 else None
    windows = _windows(node, x, window, stride, padding, [1] * count)
    total = _pool(context, x, "sum", windows, padding, windows.high, 0.0)
    element_type = x.type.get_element_type()
    if divisor_override:
        divisor = context.operand(divisor_override, element_type)
    elif count_include_pad and windows.fits:
        divisor = context.operand(math.prod(window), element_type)
    else:
        divisor = _window_counts(context, x, windows, count_include_pad)
    return context.emit(lt.DivOp(total, divisor)).result


def _window_counts(
    context: ImportContext, x: SSAValue, windows: _Windows, count_include_pad: bool
) -> SSAValue:
    """How many elements each average-pooling window divides by, as `[1, ..., *spatial]`.

    As torch counts them: the input elements a window covers, and its padding too with
    `count_include_pad`; never the extra high padding that ceil_mode adds.
    """
    spatial = x.type.get_shape()[-len(windows.taps) :]
    leading = [1] * (x.type.get_num_dims() - len(windows.taps))
    padding = windows.padding
    if count_include_pad:
        counted = [size + 2 * pad for size, pad in zip(spatial, padding, strict=True)]
        low = [0] * len(padding)
        high = [after - pad for after, pad in zip(windows.high, padding, strict=True)]
    else:
        counted, low, high = list(spatial), padding, windows.high
    ones_type = TensorType(x.type.get_element_type(), [*leading, *counted])
    ones = context.emit(lt.ConstantOp.splat(1.0, ones_type)).result
    return _pool(context, ones, "sum", windows, low, high, 0.0)


@register_importer(aten._adaptive_avg_pool2d.default, aten._adaptive_avg_pool3d.default)
def import_adaptive_avg_pool(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Windows of `input / output` elements, when each output size divides the input."""
    x = context.values[node.args[0]]
    outputs = list(node.args[1])
    inputs = x.type.get_shape()[-len(outputs):]
    if any(size % out for size, out in zip(inputs, outputs, strict=True)):
        raise LithoError(
            f"{describe(node)}: adaptive pooling from {tuple(inputs)} to {tuple(outputs)} "
            "has uneven windows, which litho does not support"
        )
    window = [size // out for size, out in zip(inputs, outputs, strict=True)]
    total = context.emit(lw.PoolOp(x, "sum", window, window, [1] * len(window))).result
    divisor = context.operand(math.prod(window), x.type.get_element_type())
    return context.emit(lt.DivOp(total, divisor)).result
