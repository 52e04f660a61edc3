"""Interpreter functions for `litho_tensor`: the reference semantics of litho's graph level.

Tensors are numpy arrays of the element type's dtype. These functions are the oracle that
every lower level is checked against, so they are written for clarity, not speed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from litho.dialects import tensor as lt
from litho.dialects.tensor import movement as lm
from litho.dialects.tensor import windows as lw
from litho.dialects.types import numpy_dtype
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    TensorType,
)
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x: Any) -> Any:
    """The Gauss error function on numpy arrays or scalars, keeping the dtype."""
    x = np.asarray(x)
    return np.asarray(_erf(x)).astype(x.dtype)


def gelu(x: np.ndarray, approximate: str) -> np.ndarray:
    """GELU as torch computes it, exact or with the tanh approximation."""
    dtype = x.dtype.type
    if approximate == "tanh":
        inner = dtype(math.sqrt(2 / math.pi)) * (x + dtype(0.044715) * x * x * x)
        return dtype(0.5) * x * (dtype(1) + np.tanh(inner))
    return dtype(0.5) * x * (dtype(1) + erf(x * dtype(1 / math.sqrt(2))))


def dense_to_numpy(value: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The contents of a dense elements attribute as a numpy array of its type."""
    tensor_type = value.type
    assert isinstance(tensor_type, TensorType)
    dtype = numpy_dtype(tensor_type.get_element_type())
    data = np.array(value.get_values(), dtype=dtype)
    shape = tuple(tensor_type.get_shape())
    if data.size == 1:
        return np.broadcast_to(data.reshape(()), shape).copy()
    return data.reshape(shape)


def cast_array(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Elementwise conversion with torch's rules (float to int truncates toward zero)."""
    if dtype == np.bool_:
        return x != 0
    with np.errstate(invalid="ignore"):
        return x.astype(dtype)


_BINARY = {
    lt.AddOp: np.add,
    lt.SubOp: np.subtract,
    lt.MulOp: np.multiply,
    lt.DivOp: np.divide,
    lt.MaxOp: np.maximum,
    lt.MinOp: np.minimum,
    lt.PowOp: np.power,
    lt.AndOp: np.bitwise_and,
    lt.OrOp: np.bitwise_or,
    lt.XorOp: np.bitwise_xor,
}

_UNARY = {
    lt.NegOp: np.negative,
    lt.ExpOp: np.exp,
    lt.LogOp: np.log,
    lt.TanhOp: np.tanh,
    lt.SqrtOp: np.sqrt,
    lt.RsqrtOp: lambda x: np.reciprocal(np.sqrt(x)),
    lt.CosOp: np.cos,
    lt.SinOp: np.sin,
    lt.ErfOp: erf,
    lt.SigmoidOp: lambda x: np.reciprocal(x.dtype.type(1) + np.exp(-x)),
    lt.ReluOp: lambda x: np.where(np.isnan(x), x, np.maximum(x, x.dtype.type(0))),
    lt.ReciprocalOp: np.reciprocal,
    lt.AbsOp: np.abs,
}

_COMPARISONS = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}

_REDUCTIONS = {
    lt.ReduceSumOp: np.sum,
    lt.ReduceMeanOp: np.mean,
    lt.ReduceMaxOp: np.max,
    lt.ReduceMinOp: np.min,
}


def integer_division(lhs: Any, rhs: Any, rounding: str) -> np.ndarray:
    """`lhs / rhs` rounded by `rounding` ("floor" or "trunc"); `lhs` where `rhs` is 0,
    `-lhs` (wrapping) where it is -1."""
    lhs, rhs = np.broadcast_arrays(np.asarray(lhs), np.asarray(rhs))
    safe = np.where((rhs == 0) | (rhs == -1), 1, rhs).astype(rhs.dtype)
    quotient = np.floor_divide(lhs, safe)
    if rounding == "trunc":
        inexact = quotient * safe != lhs
        quotient = np.where(inexact & ((lhs < 0) != (safe < 0)), quotient + 1, quotient)
    with np.errstate(over="ignore"):
        negated = np.negative(lhs)
    return np.where(rhs == -1, negated, quotient)


def _result_array(op: Any, value: Any) -> np.ndarray:
    """`value` as an array of the op's result type (numpy may widen 0-d results)."""
    dtype = numpy_dtype(op.result.type.get_element_type())
    return np.asarray(value).astype(dtype, copy=False)


def _run_binary(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    lhs, rhs = args
    with np.errstate(all="ignore"):
        return (_result_array(op, _BINARY[type(op)](lhs, rhs)),)


def _run_unary(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    with np.errstate(all="ignore"):
        return (_result_array(op, _UNARY[type(op)](np.asarray(args[0]))),)


def _run_reduction(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    keepdims = op.keepdim is not None
    value = _REDUCTIONS[type(op)](args[0], axis=op.reduced_dims, keepdims=keepdims)
    return (_result_array(op, value),)


class LithoTensorFunctions(InterpreterFunctions):
    """numpy implementations of every `litho_tensor` op.

    Ops that share an implementation (binary, unary, reductions) get it attached below,
    one `@impl` method per op, before the class is registered.
    """

    @impl(lt.ConstantOp)
    def run_constant(self, interpreter: Interpreter, op: lt.ConstantOp, args: tuple):
        return (dense_to_numpy(op.value),)

    @impl(lt.GeluOp)
    def run_gelu(self, interpreter: Interpreter, op: lt.GeluOp, args: tuple):
        with np.errstate(all="ignore"):
            return (_result_array(op, gelu(np.asarray(args[0]), op.approximate.data)),)

    @impl(lt.IntegerDivOp)
    def run_integer_div(self, interpreter: Interpreter, op: lt.IntegerDivOp, args: tuple):
        return (_result_array(op, integer_division(*args, op.rounding.data)),)

    @impl(lt.CmpOp)
    def run_cmp(self, interpreter: Interpreter, op: lt.CmpOp, args: tuple):
        lhs, rhs = args
        return (_result_array(op, _COMPARISONS[op.predicate.data](lhs, rhs)),)

    @impl(lt.WhereOp)
    def run_where(self, interpreter: Interpreter, op: lt.WhereOp, args: tuple):
        return (_result_array(op, np.where(*args)),)

    @impl(lt.CastOp)
    def run_cast(self, interpreter: Interpreter, op: lt.CastOp, args: tuple):
        dtype = numpy_dtype(op.result.type.get_element_type())
        return (cast_array(np.asarray(args[0]), dtype),)

    @impl(lt.BroadcastOp)
    def run_broadcast(self, interpreter: Interpreter, op: lt.BroadcastOp, args: tuple):
        shape = tuple(op.result.type.get_shape())
        return (np.broadcast_to(args[0], shape).copy(),)

    @impl(lt.ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: lt.ReshapeOp, args: tuple):
        return (np.reshape(args[0], tuple(op.result.type.get_shape())).copy(),)

    @impl(lt.PermuteOp)
    def run_permute(self, interpreter: Interpreter, op: lt.PermuteOp, args: tuple):
        return (np.transpose(args[0], op.dims.get_values()).copy(),)

    @impl(lt.MatmulOp)
    def run_matmul(self, interpreter: Interpreter, op: lt.MatmulOp, args: tuple):
        lhs, rhs = args
        return (_result_array(op, np.matmul(lhs, rhs)),)

    @impl(lt.AttentionOp)
    def run_attention(self, interpreter: Interpreter, op: lt.AttentionOp, args: tuple):
        query, key_t, value, *mask = args
        scale = np.asarray(op.scale.value.data, query.dtype)
        scores = np.matmul(query * scale, key_t)
        if mask:
            scores = scores + mask[0]
        maxima = scores.max(-1, keepdims=True)
        with np.errstate(invalid="ignore"):  # a row masked whole is NaN, as in a softmax
            weights = np.exp(scores - maxima)
            result = np.matmul(weights, value) / weights.sum(-1, keepdims=True)
        if op.zero_masked_rows is not None:
            result = np.where(maxima == -np.inf, np.zeros_like(result), result)
        return (_result_array(op, result),)

    @impl(lm.IotaOp)
    def run_iota(self, interpreter: Interpreter, op: lm.IotaOp, args: tuple):
        shape = tuple(op.result.type.get_shape())
        return (_result_array(op, np.indices(shape)[op.dim.value.data]),)

    @impl(lm.SliceOp)
    def run_slice(self, interpreter: Interpreter, op: lm.SliceOp, args: tuple):
        dim, start, step = (attr.value.data for attr in (op.dim, op.start, op.step))
        size = op.result.type.get_shape()[dim]
        index = [slice(None)] * op.input.type.get_num_dims()
        index[dim] = slice(start, start + size * step, step)
        return (np.asarray(args[0])[tuple(index)].copy(),)

    @impl(lm.ConcatOp)
    def run_concat(self, interpreter: Interpreter, op: lm.ConcatOp, args: tuple):
        return (np.concatenate(args, axis=op.dim.value.data),)

    @impl(lm.TakeOp)
    def run_take(self, interpreter: Interpreter, op: lm.TakeOp, args: tuple):
        return (np.take(args[0], args[1], axis=op.dim.value.data),)

    @impl(lm.CheckBoundsOp)
    def run_check_bounds(self, interpreter: Interpreter, op: lm.CheckBoundsOp, args: tuple):
        return (_result_array(op, op.check(args[0])),)

    @impl(lm.GatherOp)
    def run_gather(self, interpreter: Interpreter, op: lm.GatherOp, args: tuple):
        source, index = args
        positions = list(np.indices(index.shape, sparse=True))
        positions[op.dim.value.data] = index
        return (source[tuple(positions)],)

    @impl(lm.CumsumOp)
    def run_cumsum(self, interpreter: Interpreter, op: lm.CumsumOp, args: tuple):
        return (_result_array(op, np.cumsum(args[0], axis=op.dim.value.data)),)

    @impl(lm.ScatterOp)
    def run_scatter(self, interpreter: Interpreter, op: lm.ScatterOp, args: tuple):
        dest, indices, updates = (np.asarray(arg) for arg in args)
        dim, index_rank = op.dim.value.data, indices.ndim
        result = np.array(dest, copy=True)
        target = np.moveaxis(result, dim, 0)  # a view: writes land in `result`
        pieces = np.moveaxis(updates, list(range(dim, dim + index_rank)),
                             list(range(index_rank)))
        pieces = pieces.reshape(indices.size, *target.shape[1:])
        for index, piece in zip(indices.flat, pieces, strict=True):
            target[index] = target[index] + piece if op.accumulate else piece
        return (result,)

    @impl(lm.SortOp)
    def run_sort(self, interpreter: Interpreter, op: lm.SortOp, args: tuple):
        dim = op.dim.value.data
        order = sort_order(np.moveaxis(np.asarray(args[0]), dim, -1), op.descending is not None)
        values = np.take_along_axis(np.moveaxis(args[0], dim, -1), order, -1)
        return (np.moveaxis(values, -1, dim).copy(), np.moveaxis(order, -1, dim).copy())

    @impl(lw.PadOp)
    def run_pad(self, interpreter: Interpreter, op: lw.PadOp, args: tuple):
        widths = list(zip(op.low.get_values(), op.high.get_values(), strict=True))
        padded = np.pad(args[0], widths, constant_values=op.value.value.data)
        return (_result_array(op, padded),)

    @impl(lw.ConvOp)
    def run_conv(self, interpreter: Interpreter, op: lw.ConvOp, args: tuple):
        x, weight = args
        groups = op.groups.value.data
        stride, dilation = op.stride.get_values(), op.dilation.get_values()
        out_shape = op.result.type.get_shape()
        batch, channels = x.shape[:2]
        x = x.reshape(batch, groups, channels // groups, *x.shape[2:])
        weight = weight.reshape(groups, -1, *weight.shape[1:])
        result = np.zeros((batch, groups, weight.shape[1], *out_shape[2:]), dtype=x.dtype)
        for offsets in itertools.product(*(range(k) for k in weight.shape[3:])):
            window = _window(x, offsets, stride, dilation, out_shape[2:])
            taps = weight[(..., *offsets)]
            result += np.einsum("ngc...,goc->ngo...", window, taps)
        return (_result_array(op, result.reshape(out_shape)),)

    @impl(lw.PoolOp)
    def run_pool(self, interpreter: Interpreter, op: lw.PoolOp, args: tuple):
        window = op.window.get_values()
        out_shape = op.result.type.get_shape()
        combine = np.maximum if op.kind.data == "max" else np.add
        windows = (
            _window(args[0], offsets, op.stride.get_values(), op.dilation.get_values(),
                    out_shape[len(out_shape) - len(window):])
            for offsets in itertools.product(*(range(k) for k in window))
        )
        result = next(windows).copy()
        for values in windows:
            result = combine(result, values)
        return (_result_array(op, result),)


def sort_order(x: np.ndarray, descending: bool) -> np.ndarray:
    """For each row of the last dim of `x`, the indices of its elements in sorted order:
    stable, NaN above every number (torch's order)."""
    is_nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    before = x[..., :, None] < x[..., None, :]  # [.., j, i]: x[j] sorts before x[i]
    if descending:
        before = x[..., :, None] > x[..., None, :]
        before |= is_nan[..., :, None] & ~is_nan[..., None, :]
    else:
        before |= ~is_nan[..., :, None] & is_nan[..., None, :]
    same = (x[..., :, None] == x[..., None, :]) | (is_nan[..., :, None] & is_nan[..., None, :])
    positions = np.arange(x.shape[-1])
    earlier = positions[:, None] < positions[None, :]
    rank = np.sum(before | (same & earlier), axis=-2)  # where x[i] lands
    order = np.zeros(x.shape, np.int64)
    np.put_along_axis(order, rank, np.broadcast_to(positions, x.shape), -1)
    return order


def _window(
    x: np.ndarray,
    offsets: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    out_sizes: Sequence[int],
) -> np.ndarray:
    """The elements of `x` that window position `offsets` reads at every output point."""
    leading = (slice(None),) * (x.ndim - len(offsets))
    spatial = tuple(
        slice(k * d, k * d + s * (n - 1) + 1, s)
        for k, s, d, n in zip(offsets, stride, dilation, out_sizes, strict=True)
    )
    return x[leading + spatial]


for _table, _run in ((_BINARY, _run_binary), (_UNARY, _run_unary), (_REDUCTIONS, _run_reduction)):
    for _op_type in _table:
        setattr(LithoTensorFunctions, f"run_{_op_type.__name__}", impl(_op_type)(_run))
register_impls(LithoTensorFunctions)
