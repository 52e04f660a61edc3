"""Importers of the ATen ops of convolutional networks.

Convolutions and pooling become `litho_tensor.pad` (when they pad) followed by `conv`
or `pool`; a bias and eval-mode batch norm become elementwise ops on per-channel
parameters reshaped to `[C, 1, ...]`, which the fusion stage can fold into one loop.
"""

from __future__ import annotations

import math
import operator

import torch
import torch.fx
from litho.compiler.errors import LithoError
from litho.compiler.importer import ImportContext, describe, register_importer
from litho.dialects import tensor as lt
from litho.dialects import tensor_movement as lm
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
    return context.emit(lm.PadOp(value, leading + low, leading + high, fill)).result


def _high_padding(
    node: torch.fx.Node, value: SSAValue, window: list[int], stride: list[int],
    padding: list[int], dilation: list[int],
) -> list[int]:
    """Padding after each spatial dim: `padding`, or more where ceil_mode needs it."""
    spatial_in = value.type.get_shape()[-len(window):]
    result = node.meta["val"]
    result = result[0] if isinstance(result, tuple | list) else result
    spatial_out = result.shape[-len(window) :]
    return [
        max(pad, (out - 1) * s + d * (k - 1) + 1 - size - pad)
        for size, out, k, s, pad, d in zip(
            spatial_in, spatial_out, window, stride, padding, dilation, strict=True
        )
    ]


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
        lm.ConvOp(x, weight, _per_dim(stride, spatial), _per_dim(dilation, spatial), groups)
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
    high = _high_padding(node, x, window, stride, padding, dilation)
    padded = _pad_spatial(context, x, padding, high, -math.inf)
    return (context.emit(lm.PoolOp(padded, "max", window, stride, dilation)).result, None)


@register_importer(aten.avg_pool2d.default, aten.avg_pool1d.default, aten.avg_pool3d.default)
def import_avg_pool(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    x = context.values[node.args[0]]
    window = _per_dim(node.args[1], x.type.get_num_dims() - 2)
    count = len(window)
    stride = _per_dim(node.args[2], count) if len(node.args) > 2 and node.args[2] else window
    padding = _per_dim(node.args[3] if len(node.args) > 3 else 0, count)
    count_include_pad = node.args[5] if len(node.args) > 5 else True
    divisor_override = node.args[6] if len(node.args) > 6 else None
    dilation = [1] * count
    high = _high_padding(node, x, window, stride, padding, dilation)
    total = context.emit(
        lm.PoolOp(_pad_spatial(context, x, padding, high, 0.0), "sum", window, stride, dilation)
    ).result
    element_type = x.type.get_element_type()
    if divisor_override:
        divisor = context.operand(divisor_override, element_type)
    elif count_include_pad and high == padding:
        divisor = context.operand(math.prod(window), element_type)
    elif count_include_pad:
        raise LithoError(f"{describe(node)}: ceil_mode with count_include_pad is not supported")
    else:
        ones = context.emit(lt.ConstantOp.splat(1.0, x.type)).result
        padded_ones = _pad_spatial(context, ones, padding, high, 0.0)
        divisor = context.emit(lm.PoolOp(padded_ones, "sum", window, stride, dilation)).result
    return context.emit(lt.DivOp(total, divisor)).result


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
    total = context.emit(lm.PoolOp(x, "sum", window, window, [1] * len(window))).result
    divisor = context.operand(math.prod(window), x.type.get_element_type())
    return context.emit(lt.DivOp(total, divisor)).result
