"""`movement_programs()`: programs built around one data-movement or window op.

`programs()` draws the elementwise, reduction and matmul ops the generator knows how to
bound; the data-movement ops of dialects/tensor/movement.py (slices, concat, gathers,
cumsum, pad, convolution, pooling, iota) have their own constraints, so they get their
own strategy. Each program is a chain of such ops: the first reads fresh arguments, each
next one most often reads the result before it (a slice of a slice, a pad of a concat),
so folds of one movement op into another get matched. Index arguments are drawn in range
(negative ones too for `take`, which wraps them as torch does). A `neg` follows a float
result, so a lowering is checked with something fused after it.

```python
check_pass(ConvertLithoTensorToLinalgPass(),
           program_strategy=st.one_of(programs(), movement_programs()))
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st
from litho.compiler.testing.program import Argument, Node, Program, ValueSpec
from litho.dialects.tensor.windows import window_output_size

MOVEMENT_OPS = (
    "pad", "pool", "conv", "gather", "take", "scatter", "concat", "cumsum", "sort", "slice",
    "iota", "check_bounds",
)
MOVEMENT_DTYPES = ("f32", "f64", "i32", "i64", "i1")
# The dtypes each op takes, where torch and the IR agree on what it means (a prefix sum
# of bools is an int64 in torch; convolution and pooling take floats).
OP_DTYPES = {
    "conv": ("f32", "f64"),
    "pool": ("f32", "f64"),
    "cumsum": ("f32", "f64", "i32", "i64"),
    "iota": ("f32", "f64", "i32", "i64"),
    "check_bounds": ("i32", "i64"),
}
PAD_VALUES = {"float": (0.0, -1.5, float("-inf"), 1 / 3), "int": (0, -1, 7), "i1": (0, 1)}

Draw = Callable[[st.SearchStrategy], object]
Drawn = tuple[list[Argument], Node]
Shape = tuple[int, ...]


def _shape(draw: Draw, min_rank: int = 1, max_rank: int = 3) -> Shape:
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))


def _main(draw: Draw, source: Shape | None, min_rank: int = 1, max_rank: int = 3) -> Shape | None:
    """The shape of an op's main input: the source's, if it has a fitting rank, else fresh."""
    if source is None:
        return _shape(draw, min_rank, max_rank)
    return source if min_rank <= len(source) <= max_rank else None


def _values(shape: Shape, dtype: str) -> Argument:
    if dtype == "i1":
        return Argument(ValueSpec(shape, dtype), 0, 1)
    return Argument(ValueSpec(shape, dtype))


def _indices(shape: Shape, low: int, high: int) -> Argument:
    return Argument(ValueSpec(shape, "i64"), low, high)


def _iota(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    if source is not None:
        return None  # iota reads nothing
    shape = _shape(draw)
    dim = draw(st.integers(0, len(shape) - 1))
    return [], Node("iota", (), ValueSpec(shape, dtype), {"dim": dim})


def _check_bounds(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    """Indices into a dim of `size`, in range (negative ones too, with `wrap`): the check
    passes them on, wrapped. Out-of-range ones are scenarios.index_cases()'s."""
    if source is not None:
        return None  # it reads indices, drawn in range for it
    shape = _shape(draw, 1, 2)
    size, wrap = draw(st.integers(1, 5)), draw(st.booleans())
    indices = Argument(ValueSpec(shape, dtype), -size if wrap else 0, size - 1)
    attributes = {"size": size, "dim": 0, "wrap": int(wrap)}
    return [indices], Node("check_bounds", (0,), ValueSpec(shape, dtype), attributes)


def _slice(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    start = draw(st.integers(0, shape[dim] - 1))
    step = draw(st.integers(1, 3))
    size = draw(st.integers(1, (shape[dim] - 1 - start) // step + 1))
    result = ValueSpec(shape[:dim] + (size,) + shape[dim + 1 :], dtype)
    attributes = {"dim": dim, "start": start, "step": step}
    return [_values(shape, dtype)], Node("slice", (0,), result, attributes)


def _concat(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    sizes = [shape[dim], *draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))]
    arguments = [_values(shape[:dim] + (size,) + shape[dim + 1 :], dtype) for size in sizes]
    result = ValueSpec(shape[:dim] + (sum(sizes),) + shape[dim + 1 :], dtype)
    operands = tuple(range(len(arguments)))
    return arguments, Node("concat", operands, result, {"dim": dim})


def _take(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = _shape(draw, 1, max(1, min(2, 3 - len(shape) + 1)))
    result = ValueSpec(shape[:dim] + index_shape + shape[dim + 1 :], dtype)
    arguments = [_values(shape, dtype), _indices(index_shape, -shape[dim], shape[dim] - 1)]
    return arguments, Node("take", (0, 1), result, {"dim": dim})


def _gather(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, size)) for size in shape)
    index_shape = index_shape[:dim] + (draw(st.integers(1, 4)),) + index_shape[dim + 1 :]
    arguments = [_values(shape, dtype), _indices(index_shape, 0, shape[dim] - 1)]
    return arguments, Node("gather", (0, 1), ValueSpec(index_shape, dtype), {"dim": dim})


def _scatter(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = _shape(draw, 1, 2)
    updates = shape[:dim] + index_shape + shape[dim + 1 :]
    arguments = [
        _values(shape, dtype),
        _indices(index_shape, 0, shape[dim] - 1),
        _values(updates, dtype),
    ]
    attributes = {"dim": dim, "accumulate": dtype != "i1" and draw(st.booleans())}
    return arguments, Node("scatter", (0, 1, 2), ValueSpec(shape, dtype), attributes)


def _cumsum(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    dim = draw(st.integers(0, len(shape) - 1))
    return [_values(shape, dtype)], Node("cumsum", (0,), ValueSpec(shape, dtype), {"dim": dim})


def _sort(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    attributes = {"dim": draw(st.integers(0, len(shape) - 1)), "descending": draw(st.booleans())}
    return [_values(shape, dtype)], Node("sort", (0,), ValueSpec(shape, dtype), attributes)


def _pad(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source)
    if shape is None:
        return None
    low = [draw(st.integers(0, 2)) for _ in shape]
    high = [draw(st.integers(0, 2)) for _ in shape]
    result = tuple(size + a + b for size, a, b in zip(shape, low, high, strict=True))
    kind = "float" if dtype in ("f32", "f64") else ("i1" if dtype == "i1" else "int")
    value = draw(st.sampled_from(PAD_VALUES[kind]))
    attributes = {"low": low, "high": high, "value": value}
    return [_values(shape, dtype)], Node("pad", (0,), ValueSpec(result, dtype), attributes)


def _window(draw: Draw, spatial: Shape) -> dict[str, list[int]] | None:
    """Window, stride and dilation that fit in `spatial`, or None."""
    window = [draw(st.integers(1, 3)) for _ in spatial]
    stride = [draw(st.integers(1, 2)) for _ in spatial]
    dilation = [draw(st.integers(1, 2)) for _ in spatial]
    if any(d * (k - 1) + 1 > size for size, k, d in zip(spatial, window, dilation, strict=True)):
        return None
    return {"window": window, "stride": stride, "dilation": dilation}


def _out_sizes(spatial: Shape, window: dict[str, list[int]]) -> Shape:
    return tuple(
        window_output_size(size, k, s, d)
        for size, k, s, d in zip(
            spatial, window["window"], window["stride"], window["dilation"], strict=True
        )
    )


def _conv_input(draw: Draw, source: Shape | None) -> tuple[Shape, int] | None:
    """The (batch, channels, *spatial) input of a convolution, and its groups."""
    if source is None:
        groups = draw(st.integers(1, 2))
        channels = groups * draw(st.integers(1, 2))
        spatial = tuple(size + 2 for size in _shape(draw, 1, 2))
        return (draw(st.integers(1, 2)), channels, *spatial), groups
    if len(source) not in (3, 4):
        return None
    groups = draw(st.sampled_from((1, 2))) if source[1] % 2 == 0 else 1
    return source, groups


def _conv(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    drawn = _conv_input(draw, source)
    if drawn is None:
        return None
    shape, groups = drawn
    batch, channels, spatial = shape[0], shape[1], shape[2:]
    out_channels = groups * draw(st.integers(1, 2))
    window = _window(draw, spatial)
    if window is None:
        return None
    arguments = [
        _values(shape, dtype),
        _values((out_channels, channels // groups, *window["window"]), dtype),
    ]
    result = ValueSpec((batch, out_channels, *_out_sizes(spatial, window)), dtype)
    attributes = {"stride": window["stride"], "dilation": window["dilation"], "groups": groups}
    return arguments, Node("conv", (0, 1), result, attributes)


def _pool(draw: Draw, dtype: str, source: Shape | None) -> Drawn | None:
    shape = _main(draw, source, 2, 4)
    if shape is None:
        return None
    spatial_rank = draw(st.integers(1, min(2, len(shape))))
    spatial = shape[len(shape) - spatial_rank :]
    window = _window(draw, spatial)
    if window is None:
        return None
    result = ValueSpec(shape[: len(shape) - spatial_rank] + _out_sizes(spatial, window), dtype)
    attributes = {"kind": draw(st.sampled_from(["max", "sum"])), **window}
    return [_values(shape, dtype)], Node("pool", (0,), result, attributes)


_DRAWERS: dict[str, Callable[[Draw, str, Shape | None], Drawn | None]] = {
    "iota": _iota,
    "check_bounds": _check_bounds,
    "slice": _slice,
    "concat": _concat,
    "take": _take,
    "gather": _gather,
    "scatter": _scatter,
    "cumsum": _cumsum,
    "sort": _sort,
    "pad": _pad,
    "conv": _conv,
    "pool": _pool,
}


@dataclass
class _Chain:
    """A program under construction: arguments and nodes, operands written as
    ("argument", index) or ("node", index) until `program()` numbers them."""

    arguments: list[Argument] = field(default_factory=list)
    nodes: list[tuple[str, tuple[tuple[str, int], ...], ValueSpec, dict]] = field(
        default_factory=list
    )

    def add(self, drawn: Drawn, source: tuple[str, int] | None) -> tuple[str, int]:
        """Add a drawn op; its operand 0 is `source` (the chain so far) if given."""
        arguments, node = drawn
        references = []
        for index, argument in enumerate(arguments):
            if index == 0 and source is not None:
                references.append(source)
                continue
            self.arguments.append(argument)
            references.append(("argument", len(self.arguments) - 1))
        operands = tuple(references[operand] for operand in node.operands)
        self.nodes.append((node.op, operands, node.result, node.attributes))
        return ("node", len(self.nodes) - 1)

    def program(self) -> Program:
        count = len(self.arguments)

        def number(reference: tuple[str, int]) -> int:
            kind, index = reference
            return index if kind == "argument" else count + index

        nodes = tuple(
            Node(op, tuple(number(operand) for operand in operands), result, attributes)
            for op, operands, result, attributes in self.nodes
        )
        used = {operand for node in nodes for operand in node.operands}
        outputs = tuple(count + i for i in range(len(nodes)) if count + i not in used)
        return Program(tuple(self.arguments), nodes, outputs)


def _dtypes_for(op: str, dtypes: tuple[str, ...]) -> list[str]:
    return [dtype for dtype in dtypes if dtype in OP_DTYPES.get(op, MOVEMENT_DTYPES)]


def _ops_for(ops: tuple[str, ...], dtype: str) -> list[str]:
    return [op for op in ops if _dtypes_for(op, (dtype,))]


@st.composite
def movement_programs(
    draw: Draw,
    ops: tuple[str, ...] = MOVEMENT_OPS,
    dtypes: tuple[str, ...] = MOVEMENT_DTYPES,
    max_ops: int = 3,
) -> Program:
    """A chain of 1 to `max_ops` ops from `ops` on tensors of one of `dtypes`, each most
    often reading the result before it; then `neg` of the last result, if a float."""
    firsts = [op for op in ops if _dtypes_for(op, dtypes)]
    if not firsts:
        raise ValueError(f"movement_programs(): none of {ops} takes any of {dtypes}")
    first = draw(st.sampled_from(firsts))
    dtype = draw(st.sampled_from(_dtypes_for(first, dtypes)))
    chain, last = _Chain(), None
    for position in range(draw(st.integers(1, max_ops))):
        op = first if position == 0 else draw(st.sampled_from(_ops_for(ops, dtype)))
        source = last if last is not None and draw(st.integers(0, 3)) > 0 else None
        drawn = _DRAWERS[op](draw, dtype, chain.nodes[source[1]][2].shape if source else None)
        if drawn is None:
            continue
        last = chain.add(drawn, source)
    if last is None:
        last = chain.add(_slice(draw, dtype, None), None)
    result = chain.nodes[last[1]][2]
    if result.is_float:
        chain.add(([_values(result.shape, dtype)], Node("neg", (0,), result)), last)
    return chain.program()
