"""numpy implementations of the upstream ops litho emits: arith, math, tensor, memref, linalg,
vector.

Tensors and memrefs are both numpy arrays and scalars numpy scalars, so results compare
across levels and with torch. `linalg.generic` is evaluated vectorized over its parallel
dimensions, one step per point of its reduction dimensions; on buffers that may share
memory it runs point by point in loop order and reports races (`BufferRaceError`).
`scf.parallel` runs its iterations last to first, so an order-dependent loop made
parallel shows. Planned allocs are views of their function's arena (`arena_view`), so
an overlapping memory plan changes results here as it would in native code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from litho.dialects.attributes import ARENA_SIZE_ATTRIBUTE, OFFSET_ATTRIBUTE
from litho.dialects.tensor.interpreter import cast_array, erf
from litho.dialects.types import numpy_dtype
from xdsl.dialects import arith, func, math, memref, scf, tensor, vector
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    ReturnedValues,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.ir import Operation
from xdsl.utils.exceptions import InterpretationError

_CMPF = {
    "oeq": np.equal,
    "one": lambda a, b: np.less(a, b) | np.greater(a, b),
    "une": np.not_equal,
    "olt": np.less,
    "ole": np.less_equal,
    "ogt": np.greater,
    "oge": np.greater_equal,
    "ugt": lambda a, b: ~np.less_equal(a, b),
    "ult": lambda a, b: ~np.greater_equal(a, b),
    "uno": lambda a, b: np.isnan(a) | np.isnan(b),
}
_CMPI = {
    "eq": np.equal,
    "ne": np.not_equal,
    "slt": np.less,
    "sle": np.less_equal,
    "sgt": np.greater,
    "sge": np.greater_equal,
    "ult": np.less,
    "ule": np.less_equal,
    "ugt": np.greater,
    "uge": np.greater_equal,
}


def as_signed(value: Any) -> Any:
    """An i1 value read as a signed integer, as MLIR's signed ops read it: true is -1."""
    array = np.asarray(value)
    if array.dtype != np.bool_:
        return value
    return -array.astype(np.int8)


def _signed_max(a: Any, b: Any) -> Any:
    return np.where(as_signed(a) >= as_signed(b), a, b)[()]


def _signed_min(a: Any, b: Any) -> Any:
    return np.where(as_signed(a) <= as_signed(b), a, b)[()]

_BINARY = {
    arith.AddfOp: np.add,
    arith.SubfOp: np.subtract,
    arith.MulfOp: np.multiply,
    arith.DivfOp: np.divide,
    arith.MaximumfOp: np.maximum,
    arith.MinimumfOp: np.minimum,
    arith.AddiOp: np.add,
    arith.SubiOp: np.subtract,
    arith.MuliOp: np.multiply,
    arith.MaxSIOp: _signed_max,
    arith.MinSIOp: _signed_min,
    arith.MaxUIOp: np.maximum,
    arith.MinUIOp: np.minimum,
    arith.FloorDivSIOp: np.floor_divide,
    arith.RemSIOp: np.fmod,
    arith.DivUIOp: np.floor_divide,  # litho emits them on indices, which are not negative
    arith.RemUIOp: np.remainder,
    arith.AndIOp: np.bitwise_and,
    arith.OrIOp: np.bitwise_or,
    arith.XOrIOp: np.bitwise_xor,
    arith.ShLIOp: np.left_shift,
    arith.ShRSIOp: np.right_shift,
    math.PowFOp: np.power,
    arith.DivSIOp: lambda a, b: _divide_toward_zero(a, b),
}

_UNARY = {
    arith.NegfOp: np.negative,
    math.ExpOp: np.exp,
    math.LogOp: np.log,
    math.TanhOp: np.tanh,
    math.SqrtOp: np.sqrt,
    math.RsqrtOp: lambda x: np.reciprocal(np.sqrt(x)),
    math.ErfOp: erf,
    math.CosOp: np.cos,
    math.SinOp: np.sin,
    math.FloorOp: np.floor,
}

_CASTS = (
    arith.ExtFOp,
    arith.TruncFOp,
    arith.SIToFPOp,
    arith.FPToSIOp,
    arith.ExtSIOp,
    arith.TruncIOp,
    arith.IndexCastOp,
)


def _divide_toward_zero(a: Any, b: Any) -> Any:
    """`arith.divsi` in integers (through floats it is wrong past 2**53)."""
    quotient = np.floor_divide(a, b)
    inexact = np.remainder(a, b) != 0
    signs_differ = (np.asarray(a) < 0) != (np.asarray(b) < 0)
    return np.where(inexact & signs_differ, quotient + 1, quotient)[()]


def _run_binary(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    with np.errstate(all="ignore"):
        return (_BINARY[type(op)](*args),)


def _run_unary(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    with np.errstate(all="ignore"):
        return (_UNARY[type(op)](args[0]),)


def _run_cast(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    return (cast_array(np.asarray(args[0]), numpy_dtype(op.result.type)),)


def _unsigned_to_float(ft: Any, interpreter: Interpreter, op: Any, args: tuple) -> tuple:
    return (np.asarray(args[0]).astype(numpy_dtype(op.result.type)),)


class UpstreamFunctions(InterpreterFunctions):
    """numpy implementations of the arith, math, tensor, linalg, memref and vector ops litho
    emits."""

    @impl(arith.ConstantOp)
    def run_constant(self, interpreter: Interpreter, op: arith.ConstantOp, args: tuple):
        if isinstance(op.value, DenseIntOrFPElementsAttr):
            element_type = op.result.type.get_element_type()
            values = np.array(list(op.value.get_values()), dtype=numpy_dtype(element_type))
            return (values.reshape(tuple(op.result.type.get_shape())),)
        return (np.array(op.value.value.data, dtype=numpy_dtype(op.result.type))[()],)

    @impl(arith.CmpfOp)
    def run_cmpf(self, interpreter: Interpreter, op: arith.CmpfOp, args: tuple):
        predicate = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
        return (_CMPF[predicate](*args),)

    @impl(arith.CmpiOp)
    def run_cmpi(self, interpreter: Interpreter, op: arith.CmpiOp, args: tuple):
        predicate = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
        if predicate.startswith("s"):
            args = tuple(as_signed(arg) for arg in args)
        return (_CMPI[predicate](*args),)

    @impl(arith.SelectOp)
    def run_select(self, interpreter: Interpreter, op: arith.SelectOp, args: tuple):
        return (np.where(*args)[()],)

    @impl(arith.BitcastOp)
    def run_bitcast(self, interpreter: Interpreter, op: arith.BitcastOp, args: tuple):
        value = np.asarray(args[0])
        return (value.view(numpy_dtype(op.result.type))[()],)

    @impl(tensor.EmptyOp)
    def run_empty(self, interpreter: Interpreter, op: tensor.EmptyOp, args: tuple):
        result_type = op.tensor.type
        dtype = numpy_dtype(result_type.get_element_type())
        return (np.zeros(tuple(result_type.get_shape()), dtype=dtype),)

    @impl(memref.AllocOp)
    def run_alloc(self, interpreter: Interpreter, op: memref.AllocOp, args: tuple):
        memref_type = op.memref.type
        dtype = numpy_dtype(memref_type.get_element_type())
        shape = tuple(memref_type.get_shape())
        if OFFSET_ATTRIBUTE not in op.attributes:
            return (np.zeros(shape, dtype=dtype),)
        return (arena_view(interpreter, op, shape, dtype),)

    @impl(memref.LoadOp)
    def run_load(self, interpreter: Interpreter, op: memref.LoadOp, args: tuple):
        buffer, *indices = args
        return (buffer[tuple(indices)],)

    @impl(memref.StoreOp)
    def run_store(self, interpreter: Interpreter, op: memref.StoreOp, args: tuple):
        value, buffer, *indices = args
        buffer[tuple(indices)] = value
        return ()

    @impl(vector.CreateMaskOp)
    def run_create_mask(self, interpreter: Interpreter, op: vector.CreateMaskOp, args: tuple):
        (lanes,) = op.mask_vector.type.get_shape()
        return (np.arange(lanes) < args[0],)

    @impl(vector.BroadcastOp)
    def run_broadcast(self, interpreter: Interpreter, op: vector.BroadcastOp, args: tuple):
        return (np.full(tuple(op.vector.type.get_shape()), args[0]),)

    @impl(vector.FMAOp)
    def run_fma(self, interpreter: Interpreter, op: vector.FMAOp, args: tuple):
        """Rounded once, as the fused instruction: the product of two floats is exact in
        twice their precision."""
        lhs, rhs, accumulator = args
        wide = lhs.astype(np.float64) * rhs + accumulator
        return (wide.astype(accumulator.dtype),)

    @impl(vector.ReductionOp)
    def run_reduction(self, interpreter: Interpreter, op: vector.ReductionOp, args: tuple):
        combine = {"add": np.sum, "maximumf": np.max}[op.kind.data.value]
        return (combine(args[0]).astype(args[0].dtype),)

    @impl(vector.ExtractOp)
    def run_extract_lane(self, interpreter: Interpreter, op: vector.ExtractOp, args: tuple):
        return (args[0][tuple(op.static_position.get_values())],)

    @impl(vector.MaskedLoadOp)
    def run_masked_load(self, interpreter: Interpreter, op: vector.MaskedLoadOp, args: tuple):
        """Lane l reads the element l past the indices in row-major order, where the mask
        is on; the other lanes are the pass-through's and read nothing. A lane may run
        past the end of the last dimension into the next row (MLIR leaves that undefined;
        litho defines it, as its buffers are row-major: see docs/architecture.md)."""
        buffer, *indices, mask, pass_through = args
        result = pass_through.copy()
        lanes = np.flatnonzero(mask)
        result[lanes] = _rows(buffer)[_linear(buffer, indices) + lanes]
        return (result,)

    @impl(vector.MaskedStoreOp)
    def run_masked_store(self, interpreter: Interpreter, op: vector.MaskedStoreOp,
                         args: tuple):
        buffer, *indices, mask, value = args
        lanes = np.flatnonzero(mask)
        _rows(buffer)[_linear(buffer, indices) + lanes] = value[lanes]
        return ()

    @impl(linalg.GenericOp)
    def run_generic(self, interpreter: Interpreter, op: linalg.GenericOp, args: tuple):
        outputs = run_generic(interpreter, op, args)
        return tuple(outputs) if op.res else ()

    @impl(linalg.IndexOp)
    def run_index(self, interpreter: Interpreter, op: linalg.IndexOp, args: tuple):
        return (_loop_indices(interpreter)[-1][op.dim.value.data],)

    @impl(tensor.ExtractOp)
    def run_extract(self, interpreter: Interpreter, op: tensor.ExtractOp, args: tuple):
        source, *indices = args
        return (source[tuple(np.asarray(index) for index in indices)],)

    @impl(scf.ParallelOp)
    def run_parallel(self, interpreter: Interpreter, op: scf.ParallelOp, args: tuple):
        """Iterations run last to first: a loop whose result depends on the order of its
        iterations (one wrongly made parallel) gives another result here."""
        (lower,), (upper,), (step,) = args[:1], args[1:2], args[2:3]
        for index in reversed(range(lower, upper, step)):
            interpreter.run_ssacfg_region(op.body, (index,), "parallel_loop")
        return ()

    @impl_terminator(scf.ReduceOp)
    def run_reduce(self, interpreter: Interpreter, op: scf.ReduceOp, args: tuple):
        return ReturnedValues(()), ()

    @impl_terminator(linalg.YieldOp)
    def run_yield(self, interpreter: Interpreter, op: linalg.YieldOp, args: tuple):
        return ReturnedValues(args), ()


_SHARED_IMPLS = (
    (_BINARY, _run_binary),
    (_UNARY, _run_unary),
    (_CASTS, _run_cast),
    ((arith.UIToFPOp, arith.ExtUIOp), _unsigned_to_float),
)
for _table, _run in _SHARED_IMPLS:
    for _op_type in _table:
        setattr(UpstreamFunctions, f"run_{_op_type.__name__}", impl(_op_type)(_run))
register_impls(UpstreamFunctions)


def _rows(buffer: np.ndarray) -> np.ndarray:
    """A buffer's elements as one dimension, sharing its memory."""
    flat = buffer.reshape(-1)
    if not np.shares_memory(flat, buffer):
        raise InterpretationError("a vector access to a buffer that is not row-major")
    return flat


def _linear(buffer: np.ndarray, indices: Sequence[int]) -> int:
    """The row-major position of `indices` in `buffer` (the last index may run past its
    dimension)."""
    position = 0
    for index, size in zip(indices, buffer.shape, strict=True):
        position = position * size + int(index)
    return position


def run_generic(interpreter: Interpreter, op: linalg.GenericOp, args: Sequence[Any]) -> list:
    """Evaluate a `linalg.generic`: all parallel points at once, reduction points in order.

    With tensor semantics the outputs are fresh arrays; with memref semantics the output
    buffers are written in place. An output buffer that shares memory with another operand
    (or with a buffer the body loads from) makes the order of the points matter, so such a
    generic is evaluated one point at a time in loop order, and a race between parallel
    points raises `BufferRaceError` (`_run_generic_in_order`).
    """
    if not op.res and _shares_memory(interpreter, op, args):
        return _run_generic_in_order(interpreter, op, args)
    maps = [attr.data for attr in op.get_indexing_maps()]
    input_count = len(op.inputs)
    outputs = [np.array(arg) if op.res else arg for arg in args[input_count:]]
    operands = [*args[:input_count], *outputs]
    loop_ranges = _loop_ranges(op, operands)
    iterators = [str(kind.data) for kind in op.iterator_types]
    parallel = [i for i, kind in enumerate(iterators) if kind == "parallel"]
    reduction = [i for i, kind in enumerate(iterators) if kind != "parallel"]
    grid = np.indices([loop_ranges[i] for i in parallel], sparse=True)
    output_maps = maps[input_count:]
    loop_stack = _loop_indices(interpreter)
    for point in itertools.product(*(range(loop_ranges[i]) for i in reduction)):
        loop_indices: list[Any] = [0] * len(loop_ranges)
        for dim, index in zip(parallel, grid, strict=True):
            loop_indices[dim] = index
        for dim, index in zip(reduction, point, strict=True):
            loop_indices[dim] = index
        block_args = [
            operand[tuple(indexing.eval(loop_indices, []))]
            for operand, indexing in zip(operands, maps, strict=True)
        ]
        loop_stack.append(loop_indices)
        yielded = interpreter.run_ssacfg_region(op.body, tuple(block_args), "generic")
        loop_stack.pop()
        for output, indexing, value in zip(outputs, output_maps, yielded, strict=True):
            output[tuple(indexing.eval(loop_indices, []))] = value
    return outputs


def _loop_ranges(op: linalg.GenericOp, operands: Sequence[Any]) -> list[int]:
    shapes = [dim for operand in operands for dim in np.shape(operand)]
    return list(op.get_shapes_to_loops_map().eval(shapes, []))


class BufferRaceError(InterpretationError):
    """Two points of a generic's parallel iteration space touch one element of memory, one
    of them writing it: the result depends on the order of points the generic leaves free
    (an output buffer aliases what the generic reads)."""


def _loaded_buffers(interpreter: Interpreter, op: linalg.GenericOp) -> list[Any]:
    """The buffers the body of `op` reads with `memref.load` (gathers), defined outside."""
    loads = [inner for inner in op.body.walk() if isinstance(inner, memref.LoadOp)]
    outside = [load.memref for load in loads if not op.body.is_ancestor(load.memref.owner)]
    return list(interpreter.get_values(outside))


def _shares_memory(interpreter: Interpreter, op: linalg.GenericOp, args: Sequence[Any]) -> bool:
    """Whether an output buffer of `op` may share memory with another buffer it accesses.

    Planned allocs are views of one arena (`arena_view`), so overlapping plans show here.
    """
    input_count = len(op.inputs)
    accessed = [*args, *_loaded_buffers(interpreter, op)]
    return any(
        np.may_share_memory(output, other)
        for position, output in enumerate(args[input_count:], start=input_count)
        for other_position, other in enumerate(accessed)
        if other_position != position
    )


Access = tuple[tuple[int, ...], str]  # an iteration point, and through what it accessed


@dataclass
class _AccessLog:
    """Which iteration points read and wrote each byte of memory, keyed by their
    coordinates along the parallel dims (points that differ only along reduction dims
    run in loop order, so they may share memory)."""

    parallel: list[int]
    readers: dict[int, dict[tuple[int, ...], Access]] = field(default_factory=dict)
    writers: dict[int, dict[tuple[int, ...], Access]] = field(default_factory=dict)

    def access(self, buffer: Any, index: tuple, point: tuple[int, ...], what: str,
               write: bool) -> None:
        """Record an access; raise BufferRaceError if another parallel point wrote that
        memory or, for a write, read it."""
        key = tuple(point[dim] for dim in self.parallel)
        for byte in _element_bytes(buffer, index):
            earlier = [self.writers.get(byte, {})]
            if write:
                earlier.append(self.readers.get(byte, {}))
            for other_key, other in (item for log in earlier for item in log.items()):
                if other_key != key:
                    raise _race((point, what), write, other, other in earlier[0].values())
            log = self.writers if write else self.readers
            log.setdefault(byte, {})[key] = (point, what)


def _element_bytes(buffer: Any, index: tuple) -> range:
    """The memory addresses of `buffer[index]`."""
    array = np.asarray(buffer)
    start = array.__array_interface__["data"][0]
    start += sum(int(i) * stride for i, stride in zip(index, array.strides, strict=True))
    return range(start, start + array.itemsize)


def _race(access: Access, write: bool, other: Access, other_wrote: bool) -> BufferRaceError:
    (point, what), (other_point, other_what) = access, other
    verb, other_verb = ("writes" if write else "reads"), ("wrote" if other_wrote else "read")
    return BufferRaceError(
        f"linalg.generic: point {point} {verb} through {what} an element that point "
        f"{other_point} {other_verb} through {other_what}; points that differ along a "
        "parallel dimension must not share memory one of them writes (an output buffer "
        "aliases memory the generic reads)"
    )


@dataclass
class _LoadRecorder(Interpreter.Listener):
    """Collects the `memref.load`s the body of a generic runs, with their operands."""

    loads: list[tuple[Any, tuple]] = field(default_factory=list)

    def will_interpret_op(self, op: Operation, args: tuple) -> None:
        if isinstance(op, memref.LoadOp):
            self.loads.append((args[0], tuple(args[1:])))


def _run_generic_in_order(
    interpreter: Interpreter, op: linalg.GenericOp, args: Sequence[Any]
) -> list:
    """Evaluate a generic on buffers one point at a time, in loop order (d0 outermost),
    as the loops it lowers to run; raise BufferRaceError if parallel points race."""
    maps = [attr.data for attr in op.get_indexing_maps()]
    input_count = len(op.inputs)
    operands, outputs = list(args), list(args[input_count:])
    loop_ranges = _loop_ranges(op, operands)
    iterators = [str(kind.data) for kind in op.iterator_types]
    log = _AccessLog([i for i, kind in enumerate(iterators) if kind == "parallel"])
    names = [f"input {i}" for i in range(input_count)]
    names += [f"output {i}" for i in range(len(outputs))]
    used = [arg.uses.get_length() > 0 for arg in op.body.block.args]
    recorder = _LoadRecorder()
    listeners = interpreter.listeners
    interpreter.listeners = (*listeners, recorder)
    try:
        for point in itertools.product(*(range(size) for size in loop_ranges)):
            indices = [tuple(indexing.eval(point, [])) for indexing in maps]
            for operand, index, name, read in zip(operands, indices, names, used, strict=True):
                if read:
                    log.access(operand, index, point, name, write=False)
            block_args = [operand[index] for operand, index in zip(operands, indices, strict=True)]
            _loop_indices(interpreter).append(list(point))
            yielded = interpreter.run_ssacfg_region(op.body, tuple(block_args), "generic")
            _loop_indices(interpreter).pop()
            for buffer, index in recorder.loads:
                log.access(buffer, index, point, "a memref.load", write=False)
            recorder.loads.clear()
            for position, (output, value) in enumerate(zip(outputs, yielded, strict=True)):
                index = indices[input_count + position]
                log.access(output, index, point, names[input_count + position], write=True)
                output[index] = value
    finally:
        interpreter.listeners = listeners
    return outputs


def _loop_indices(interpreter: Interpreter) -> list[list[Any]]:
    """The loop indices of the generics being evaluated, innermost last (`linalg.index`)."""
    return interpreter.get_data(UpstreamFunctions, "generic loop indices", list)


def arena_view(
    interpreter: Interpreter, op: memref.AllocOp, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """The buffer of a planned alloc: a view of its function's arena at `litho.offset`.

    Buffers that the memory plan lets overlap share bytes here as they do in native
    code, so a plan that overlaps two live buffers changes the interpreter's results.
    """
    function = op.parent_op()
    while not isinstance(function, func.FuncOp):
        function = function.parent_op()
    arena_size = function.attributes[ARENA_SIZE_ATTRIBUTE].value.data
    arena = interpreter.get_data(
        UpstreamFunctions,
        f"arena of @{function.sym_name.data}",
        lambda: np.zeros(arena_size, dtype=np.uint8),
    )
    offset = op.attributes[OFFSET_ATTRIBUTE].value.data
    size = int(np.prod(shape)) * dtype.itemsize
    return arena[offset : offset + size].view(dtype).reshape(shape)
