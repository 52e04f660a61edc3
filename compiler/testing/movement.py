"""`movement_programs()`: programs built around one data-movement or window op.

`programs()` draws the elementwise, reduction and matmul ops the generator knows how to
bound; the data-movement ops of dialects/tensor_movement.py (slices, concat, gathers,
cumsum, pad, convolution, pooling, iota) have their own constraints, so they get their
own strategy. Each program feeds one such op from fresh arguments (index arguments are
drawn in range, negative ones included where torch allows them) and adds a unary op on
its result, so a lowering is checked with something fused after it.

```python
check_pass(ConvertLithoTensorToLinalgPass(),
           program_strategy=st.one_of(programs(), movement_programs()))
```
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st
from litho.compiler.testing.program import Argument, Node, Program, ValueSpec
from litho.dialects.tensor_movement import window_output_size

MOVEMENT_OPS = ("pad", "pool", "conv", "gather", "take", "concat", "cumsum", "slice", "iota")

Draw = Callable[[st.SearchStrategy], object]


def _shape(draw: Draw, min_rank: int = 1, max_rank: int = 3) -> tuple[int, ...]:
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))


def _floats(shape: tuple[int, ...], dtype: str) -> Argument:
    return Argument(ValueSpec(shape, dtype))


def _indices(shape: tuple[int, ...], low: int, high: int) -> Argument:
    return Argument(ValueSpec(shape, "i64"), low, high)


def _iota(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    return [], Node("iota", (), ValueSpec(shape, dtype), {"dim": dim})


def _slice(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    start = draw(st.integers(0, shape[dim] - 1))
    step = draw(st.integers(1, 3))
    size = draw(st.integers(1, (shape[dim] - 1 - start) // step + 1))
    result = ValueSpec(shape[:dim] + (size,) + shape[dim + 1 :], dtype)
    attributes = {"dim": dim, "start": start, "step": step}
    return [_floats(shape, dtype)], Node("slice", (0,), result, attributes)


def _concat(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    arguments = [_floats(shape[:dim] + (size,) + shape[dim + 1 :], dtype) for size in sizes]
    result = ValueSpec(shape[:dim] + (sum(sizes),) + shape[dim + 1 :], dtype)
    operands = tuple(range(len(arguments)))
    return arguments, Node("concat", operands, result, {"dim": dim})


def _take(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = _shape(draw, 1, 2)
    result = ValueSpec(shape[:dim] + index_shape + shape[dim + 1 :], dtype)
    arguments = [_floats(shape, dtype), _indices(index_shape, -shape[dim], shape[dim] - 1)]
    return arguments, Node("take", (0, 1), result, {"dim": dim})


def _gather(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, size)) for size in shape)
    index_shape = index_shape[:dim] + (draw(st.integers(1, 4)),) + index_shape[dim + 1 :]
    arguments = [_floats(shape, dtype), _indices(index_shape, 0, shape[dim] - 1)]
    return arguments, Node("gather", (0, 1), ValueSpec(index_shape, dtype), {"dim": dim})


def _cumsum(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    return [_floats(shape, dtype)], Node("cumsum", (0,), ValueSpec(shape, dtype), {"dim": dim})


def _pad(draw: Draw, dtype: str) -> tuple[list[Argument], Node]:
    shape = _shape(draw)
    low = [draw(st.integers(0, 2)) for _ in shape]
    high = [draw(st.integers(0, 2)) for _ in shape]
    result = tuple(size + a + b for size, a, b in zip(shape, low, high, strict=True))
    value = draw(st.sampled_from([0.0, -1.5, float("-inf")]))
    attributes = {"low": low, "high": high, "value": value}
    return [_floats(shape, dtype)], Node("pad", (0,), ValueSpec(result, dtype), attributes)


def _window(draw: Draw, spatial: tuple[int, ...]) -> dict[str, list[int]] | None:
    """Window, stride and dilation that fit in `spatial`, or None."""
    window = [draw(st.integers(1, 3)) for _ in spatial]
    stride = [draw(st.integers(1, 2)) for _ in spatial]
    dilation = [draw(st.integers(1, 2)) for _ in spatial]
    if any(d * (k - 1) + 1 > size for size, k, d in zip(spatial, window, dilation, strict=True)):
        return None
    return {"window": window, "stride": stride, "dilation": dilation}


def _out_sizes(spatial: tuple[int, ...], window: dict[str, list[int]]) -> tuple[int, ...]:
    return tuple(
        window_output_size(size, k, s, d)
        for size, k, s, d in zip(
            spatial, window["window"], window["stride"], window["dilation"], strict=True
        )
    )


def _conv(draw: Draw, dtype: str) -> tuple[list[Argument], Node] | None:
    groups = draw(st.integers(1, 2))
    channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    spatial = _shape(draw, 1, 2)
    window = _window(draw, tuple(size + 2 for size in spatial))
    if window is None:
        return None
    spatial = tuple(size + 2 for size in spatial)
    batch = draw(st.integers(1, 2))
    arguments = [
        _floats((batch, channels, *spatial), dtype),
        _floats((out_channels, channels // groups, *window["window"]), dtype),
    ]
    result = ValueSpec((batch, out_channels, *_out_sizes(spatial, window)), dtype)
    attributes = {"stride": window["stride"], "dilation": window["dilation"], "groups": groups}
    return arguments, Node("conv", (0, 1), result, attributes)


def _pool(draw: Draw, dtype: str) -> tuple[list[Argument], Node] | None:
    shape = _shape(draw, 2, 4)
    spatial_rank = draw(st.integers(1, min(2, len(shape))))
    spatial = shape[len(shape) - spatial_rank :]
    window = _window(draw, spatial)
    if window is None:
        return None
    result = ValueSpec(shape[: len(shape) - spatial_rank] + _out_sizes(spatial, window), dtype)
    attributes = {"kind": draw(st.sampled_from(["max", "sum"])), **window}
    return [_floats(shape, dtype)], Node("pool", (0,), result, attributes)


_DRAWERS = {
    "iota": _iota,
    "slice": _slice,
    "concat": _concat,
    "take": _take,
    "gather": _gather,
    "cumsum": _cumsum,
    "pad": _pad,
    "conv": _conv,
    "pool": _pool,
}


@st.composite
def movement_programs(
    draw: Draw, ops: tuple[str, ...] = MOVEMENT_OPS, dtypes: tuple[str, ...] = ("f32",)
) -> Program:
    """A program of one op from `ops` on fresh arguments, then `neg` of its result."""
    op = draw(st.sampled_from(ops))
    dtype = draw(st.sampled_from(dtypes))
    drawn = _DRAWERS[op](draw, dtype)
    if drawn is None:
        drawn = _slice(draw, dtype)
    arguments, node = drawn
    negated = Node("neg", (len(arguments),), node.result)
    nodes = (node, negated) if node.result.is_float else (node,)
    return Program(tuple(arguments), nodes, (len(arguments) + len(nodes) - 1,))
