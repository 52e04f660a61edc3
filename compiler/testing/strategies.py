"""Hypothesis strategies of well-typed `litho_tensor` programs (their inputs: inputs.py).

```python
from hypothesis import given
from litho.compiler.testing import inputs_for, programs

@given(programs(max_ops=6, ops=("add", "mul", "permute")), st.data())
def test_something(program, data):
    inputs = data.draw(inputs_for(program))
```

Shapes are valid by construction: each op draws its operands among earlier values whose
types fit, or makes a fresh argument that fits. While building, every value carries an
interval that holds all its possible values (inputs are bounded), so `log`, `sqrt` and
`rsqrt` only see positive values, `div` only positive divisors, and no value grows past
`VALUE_LIMIT`. Values known to be computed exactly (sums and products of inputs on a
quarter grid) are the only ones fed to `cmp` and to float-to-int casts: a rounding
difference between two correct implementations cannot then flip a comparison.

Hypothesis shrinks a failing program toward fewer ops, each reading fresh arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from hypothesis import strategies as st
from litho.compiler.testing.attention import add_attention
from litho.compiler.testing.bounds import (
    INPUT_GRID,
    UNIT,
    VALUE_LIMIT,
    Bounds,
    binary_bounds,
    gelu_bounds,
    max_bits,
    sum_bits,
)
from litho.compiler.testing.program import (
    BINARY_OPS,
    FLOAT_DTYPES,
    REDUCTION_OPS,
    UNARY_OPS,
    Argument,
    Node,
    Program,
    ValueSpec,
)
from litho.dialects.tensor import COMPARISON_PREDICATES, broadcast_shapes
from xdsl.utils.exceptions import VerifyException

# Ops added to the generators after their fixed-seed tests were tuned: last in ALL_OPS,
# so that every seed keeps drawing the mix of ops it drew before.
LATER_OPS = ("pow", "and", "or", "xor", "cos", "sin")
ALL_OPS: tuple[str, ...] = (
    *(op for op in (*BINARY_OPS, *UNARY_OPS) if op not in LATER_OPS),
    "gelu",
    "cmp",
    "int_div",
    "where",
    "cast",
    "broadcast",
    "reshape",
    "permute",
    "matmul",
    *REDUCTION_OPS,
    *LATER_OPS,
)
ALL_DTYPES = ("f32", "f64", "i32", "i64", "i1")
INTEGER_OPS = (
    "add", "sub", "mul", "max", "min", "reduce_sum", "reduce_max", "reduce_min", "abs",
    "neg", "relu",
)
# Ops whose bool (i1) form means what torch's does: ordered comparisons order False
# before True; max/min and amax/amin of bools are or/and. (add, sub, mul, neg and sum do
# not: torch promotes or rejects bools there.)
BOOL_OPS = ("max", "min", "reduce_max", "reduce_min", "and", "or", "xor")
# Ops of integers and bools only.
BITWISE_OPS = ("and", "or", "xor")

# Splat constants the generator draws: 3 times in 4 the values folds look for (1, 0,
# 2, 0.5, -1), else others: exact values on the input grid, values no binary float holds,
# tiny and large magnitudes, and integers as large as VALUE_LIMIT lets a value grow.
FOLDED_CONSTANTS = (1, 0, 2, 0.5, -1)
FLOAT_CONSTANTS = (-2.5, -7.75, 0.1, 1 / 3, -0.2, 1e-3, 3e-6, 1e4)
POSITIVE_FLOAT_CONSTANTS = (0.1, 1 / 3, 1e-2, 1e3)
INTEGER_CONSTANTS = (7, -13, 1000, -4096, 65535, 2**19, -(2**19), 999_999)


# Ops that move elements rather than compute them, drawn three times as often as the
# others, so transposes and broadcasts (where dims get confused and buffers alias) keep
# appearing among some thirty elementwise ops.
LAYOUT_OPS = ("broadcast", "reshape", "permute")

@dataclass
class _Builder:
    """The program under construction, with the type and bounds of every value."""

    draw: Callable
    dtypes: tuple[str, ...]
    max_rank: int
    max_dim: int
    chain: bool = False
    """Whether a first operand is always the latest value that fits."""

    def __post_init__(self) -> None:
        self.arguments: list[Argument] = []
        self.nodes: list[Node] = []
        self.specs: list[ValueSpec] = []
        self.bounds: list[Bounds] = []
        self.origins: list[tuple[str, int]] = []  # ("argument" | "node", its index)

    # -- values -------------------------------------------------------------------

    def shape(self, min_rank: int = 0) -> tuple[int, ...]:
        """A shape whose dims often repeat their left neighbour (3x3x4): a lowering that
        confuses two dims of one size is only caught on such shapes."""
        rank = self.draw(st.integers(min_rank, self.max_rank))
        shape: list[int] = []
        for _ in range(rank):
            if shape and shape[-1] > 1 and self.draw(st.integers(0, 2)) == 0:
                shape.append(shape[-1])
            else:
                shape.append(self.draw(st.integers(1, self.max_dim)))
        return tuple(shape)

    def argument(self, spec: ValueSpec, positive: bool = False) -> int:
        if spec.dtype == "i1":
            argument, bounds = Argument(spec, 0, 1), UNIT
        else:
            low = (1 if not spec.is_float else 1 / INPUT_GRID) if positive else -3.0
            argument = Argument(spec, low, 3.0)
            bounds = Bounds(low, 3.0, 2 if spec.is_float else 0)
        self.arguments.append(argument)
        self.origins.append(("argument", len(self.arguments) - 1))
        return self.add_value(spec, bounds)

    def add_value(self, spec: ValueSpec, bounds: Bounds) -> int:
        self.specs.append(spec)
        self.bounds.append(bounds)
        return len(self.specs) - 1

    def pick(
        self,
        accept: Callable[[int], bool],
        fresh: Callable[[], ValueSpec],
        positive: bool = False,
        partner: bool = False,
    ) -> int:
        """An earlier value that `accept`s, or a fresh argument of type `fresh()`.

        A first operand is most often the latest value that fits, so ops form chains. A
        `partner` (second operand) is a fresh argument about a third of the time, so
        broadcasting partners keep appearing in long programs.
        """
        candidates = [
            value
            for value in range(len(self.specs))
            if accept(value) and (not positive or self.bounds[value].low > 0)
        ]
        if not partner and self.chain and candidates:
            return candidates[-1]
        if not partner:
            choice = self.draw(st.integers(0, 3 * len(candidates)))
            if choice == 3 * len(candidates):
                return self.argument(fresh(), positive)
            return candidates[-1 - choice % len(candidates)]
        choice = self.draw(st.integers(0, len(candidates) + len(candidates) // 2))
        if choice == 0 or choice > len(candidates):
            return self.argument(fresh(), positive)
        return candidates[-choice]

    def node(self, op: str, operands: Sequence[int], spec: ValueSpec, bounds: Bounds,
             **attributes: object) -> int | None:
        """Add the op unless its values could exceed VALUE_LIMIT."""
        if not bounds.magnitude <= VALUE_LIMIT:
            return None
        self.nodes.append(Node(op, tuple(operands), spec, attributes))
        self.origins.append(("node", len(self.nodes) - 1))
        return self.add_value(spec, bounds)

    def program(self) -> Program:
        """The program built, with values renumbered arguments first; its outputs are the
        node results that no later node uses."""
        argument_count = len(self.arguments)
        number = [
            index if origin == "argument" else argument_count + index
            for origin, index in self.origins
        ]
        nodes = tuple(
            replace(node, operands=tuple(number[operand] for operand in node.operands))
            for node in self.nodes
        )
        used = {operand for node in nodes for operand in node.operands}
        outputs = tuple(
            argument_count + index
            for index, node in enumerate(nodes)
            if argument_count + index not in used and node.op != "constant"
        )
        return Program(tuple(self.arguments), nodes, outputs)

    # -- shapes that fit ----------------------------------------------------------

    def broadcastable_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with `shape` and differs from it where it can: some
        dims set to 1 (size-1 dims stretched), a suffix, or leading dims added.

        Earlier values give same-shape operands often enough; fresh arguments are where
        broadcasting gets exercised.
        """
        sizes = st.integers(1, self.max_dim)
        mode = self.draw(st.sampled_from(("ones", "suffix", "extend")))
        if mode == "ones" and shape:
            changed = self.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))
            return tuple(
                (self.draw(sizes) if size == 1 else 1) if dim in changed else size
                for dim, size in enumerate(shape)
            )
        if mode == "suffix" and shape:
            return shape[self.draw(st.integers(1, len(shape))) :]
        if len(shape) < self.max_rank:
            extra = self.draw(st.integers(1, self.max_rank - len(shape)))
            return (*(self.draw(sizes) for _ in range(extra)), *shape)
        return shape

    def fits(self, value: int, shape: tuple[int, ...], dtype: str) -> bool:
        """Whether `value` has `dtype` and broadcasts with `shape` within the max rank."""
        spec = self.specs[value]
        return spec.dtype == dtype and self.broadcasts(spec.shape, shape)

    def broadcasts(self, shape: tuple[int, ...], other: tuple[int, ...]) -> bool:
        try:
            return len(broadcast_shapes("", shape, other)) <= self.max_rank
        except VerifyException:
            return False


def _choose(builder: _Builder, dtypes: Sequence[str]) -> str:
    """One of `dtypes`, drawn."""
    return builder.draw(st.sampled_from(sorted(dtypes)))


def _numeric(builder: _Builder, op: str) -> tuple[str, ...]:
    """The dtypes among the program's that `op` takes."""
    if op in BITWISE_OPS:
        return tuple(dtype for dtype in builder.dtypes if dtype not in FLOAT_DTYPES)
    if op not in INTEGER_OPS:
        return tuple(dtype for dtype in builder.dtypes if dtype in FLOAT_DTYPES)
    return tuple(dtype for dtype in builder.dtypes if dtype != "i1" or op in BOOL_OPS)


def _fraction_bits(value: float) -> int | None:
    """The k for which `value` is a multiple of 2**-k (so exact in binary), if small."""
    for bits in range(25):
        if float(value * 2**bits).is_integer():
            return bits
    return None


def _constant_values(dtype: str, positive: bool, exact: bool, folded: bool) -> tuple:
    """The splat values `_partner` draws for `dtype`: the `folded` ones or the others;
    with `exact`, only values a float holds exactly."""
    if dtype == "i1":
        return (0, 1)
    if folded:
        values = tuple(value for value in FOLDED_CONSTANTS if value > 0 or not positive)
    elif dtype in FLOAT_DTYPES:
        values = POSITIVE_FLOAT_CONSTANTS if positive else FLOAT_CONSTANTS
    else:
        values = INTEGER_CONSTANTS
    if dtype not in FLOAT_DTYPES:
        return tuple(value for value in values if float(value).is_integer())
    return tuple(value for value in values if not exact or _fraction_bits(value) is not None)


def _operand(builder: _Builder, dtypes: Sequence[str], min_rank: int = 0,
             positive: bool = False) -> int:
    dtype = _choose(builder, dtypes)
    return builder.pick(
        lambda value: builder.specs[value].dtype == dtype
        and len(builder.specs[value].shape) >= min_rank,
        lambda: ValueSpec(builder.shape(min_rank), dtype),
        positive,
    )


def _partner(builder: _Builder, shape: tuple[int, ...], dtype: str, positive: bool = False,
             exact: bool = False) -> int:
    """An operand of `dtype` that broadcasts with `shape`: an earlier value, a fresh
    argument or a splat constant."""
    if builder.draw(st.booleans()):
        folded = builder.draw(st.integers(0, 3)) < 3
        value = builder.draw(st.sampled_from(_constant_values(dtype, positive, exact, folded)))
        kind = builder.draw(st.sampled_from(("scalar", "same", "broadcast")))
        constant_shape = builder.broadcastable_shape(shape) if kind == "broadcast" else (
            shape if kind == "same" else ()
        )
        constant = builder.node("constant", (), ValueSpec(constant_shape, dtype),
                                Bounds(value, value, _fraction_bits(value)), value=value)
        assert constant is not None
        return constant
    return builder.pick(
        lambda value: builder.fits(value, shape, dtype)
        and (not exact or builder.bounds[value].is_exact_in(dtype)),
        lambda: ValueSpec(builder.broadcastable_shape(shape), dtype),
        positive,
        partner=True,
    )


def _broadcast_spec(builder: _Builder, dtype: str, *values: int) -> ValueSpec:
    shapes = [builder.specs[value].shape for value in values]
    return ValueSpec(broadcast_shapes("", *shapes), dtype)


def _add_binary(builder: _Builder, op: str) -> int | None:
    dtypes = _numeric(builder, op)
    if not dtypes:
        return None
    lhs = _operand(builder, dtypes, positive=op == "pow")
    dtype = builder.specs[lhs].dtype
    rhs = _partner(builder, builder.specs[lhs].shape, dtype, positive=op == "div")
    bounds = binary_bounds(op, builder.bounds[lhs], builder.bounds[rhs])
    return builder.node(op, (lhs, rhs), _broadcast_spec(builder, dtype, lhs, rhs), bounds)


def _add_int_div(builder: _Builder, op: str) -> int | None:
    """An integer division by a nonzero number (eager raises on a zero divisor), kept in
    the node's attributes: the importer divides only by Python numbers."""
    dtypes = [dtype for dtype in builder.dtypes if dtype in ("i32", "i64")]
    if not dtypes:
        return None
    value = _operand(builder, dtypes)
    magnitude = builder.bounds[value].magnitude
    return builder.node(
        "int_div", (value,), builder.specs[value], Bounds(-magnitude, magnitude, 0),
        divisor=builder.draw(st.sampled_from((1, 2, 3, -1, -4, 7, -13))),
        rounding=builder.draw(st.sampled_from(("floor", "trunc"))),
    )


def _add_unary(builder: _Builder, op: str) -> int | None:
    unary = UNARY_OPS[op]
    value = _operand(builder, _numeric(builder, op), positive=unary.positive)
    bounds = builder.bounds[value]
    if op == "exp" and bounds.high > 20:
        return None
    return builder.node(op, (value,), builder.specs[value], unary.bounds(bounds))


def _add_gelu(builder: _Builder, op: str) -> int | None:
    value = _operand(builder, _numeric(builder, op))
    return builder.node(op, (value,), builder.specs[value], gelu_bounds(builder.bounds[value]),
                        approximate=builder.draw(st.sampled_from(("none", "tanh"))))


def _add_cmp(builder: _Builder, op: str) -> int | None:
    dtype = _choose(builder, builder.dtypes)
    if "i1" in builder.dtypes and builder.draw(st.booleans()):
        dtype = "i1"  # comparisons of bools (False < True), regularly
    lhs = builder.pick(
        lambda value: builder.specs[value].dtype == dtype
        and builder.bounds[value].is_exact_in(dtype),
        lambda: ValueSpec(builder.shape(), dtype),
    )
    rhs = _partner(builder, builder.specs[lhs].shape, dtype, exact=True)
    predicate = builder.draw(st.sampled_from(COMPARISON_PREDICATES))
    return builder.node("cmp", (lhs, rhs), _broadcast_spec(builder, "i1", lhs, rhs), UNIT,
                        predicate=predicate)


def _add_where(builder: _Builder, op: str) -> int | None:
    condition = _operand(builder, ("i1",))
    dtype = _choose(builder, builder.dtypes)
    lhs = _partner(builder, builder.specs[condition].shape, dtype)
    both = broadcast_shapes("", builder.specs[condition].shape, builder.specs[lhs].shape)
    rhs = _partner(builder, both, dtype)
    lhs_bounds, rhs_bounds = builder.bounds[lhs], builder.bounds[rhs]
    bounds = Bounds(min(lhs_bounds.low, rhs_bounds.low), max(lhs_bounds.high, rhs_bounds.high),
                    max_bits(lhs_bounds, rhs_bounds))
    spec = _broadcast_spec(builder, dtype, condition, lhs, rhs)
    return builder.node("where", (condition, lhs, rhs), spec, bounds)


def _add_cast(builder: _Builder, op: str) -> int | None:
    value = _operand(builder, builder.dtypes)
    spec, bounds = builder.specs[value], builder.bounds[value]
    targets = [dtype for dtype in builder.dtypes if dtype != spec.dtype]
    if not targets:
        return None
    target = builder.draw(st.sampled_from(targets))
    if spec.is_float and target not in FLOAT_DTYPES and not bounds.is_exact_in(spec.dtype):
        return None  # truncation of an inexact value could flip to the next integer
    if target == "i1":
        bounds = UNIT
    elif target not in FLOAT_DTYPES:
        bounds = Bounds(math.trunc(bounds.low), math.trunc(bounds.high), 0)
    elif not bounds.is_exact_in(target):
        bounds = Bounds(bounds.low, bounds.high)
    return builder.node("cast", (value,), ValueSpec(spec.shape, target), bounds)


def _add_broadcast(builder: _Builder, op: str) -> int | None:
    value = _operand(builder, builder.dtypes)
    spec = builder.specs[value]
    extra = builder.draw(st.integers(0, builder.max_rank - len(spec.shape))) if len(
        spec.shape) < builder.max_rank else 0
    sizes = st.integers(1, builder.max_dim)
    shape = [builder.draw(sizes) for _ in range(extra)]
    shape += [builder.draw(sizes) if size == 1 else size for size in spec.shape]
    return builder.node("broadcast", (value,), ValueSpec(tuple(shape), spec.dtype),
                        builder.bounds[value])


def _factor(count: int) -> list[int]:
    factors, divisor = [], 2
    while count > 1:
        while count % divisor == 0:
            factors.append(divisor)
            count //= divisor
        divisor += 1
    return factors


def _add_reshape(builder: _Builder, op: str) -> int | None:
    value = _operand(builder, builder.dtypes)
    spec = builder.specs[value]
    rank = builder.draw(st.integers(0 if math.prod(spec.shape) == 1 else 1, builder.max_rank))
    shape = [1] * rank
    for factor in _factor(math.prod(spec.shape)):
        shape[builder.draw(st.integers(0, rank - 1))] *= factor
    return builder.node("reshape", (value,), ValueSpec(tuple(shape), spec.dtype),
                        builder.bounds[value])


def _twin_pairs(shape: tuple[int, ...]) -> list[int]:
    """The dims `d` of `shape` where dims `d` and `d + 1` have one size larger than 1."""
    return [dim for dim in range(len(shape) - 1) if shape[dim] == shape[dim + 1] > 1]


def _add_permute(builder: _Builder, op: str) -> int | None:
    """A permutation; half the time, if an earlier op made a value with two neighbouring
    dims of one size, a swap of those dims: it keeps the type (a transpose that a
    bufferization could write in place by mistake)."""
    twinned = [
        value for value, (origin, _) in enumerate(builder.origins)
        if origin == "node" and _twin_pairs(builder.specs[value].shape)
    ]
    if twinned and builder.draw(st.booleans()):
        value = twinned[-1 - builder.draw(st.integers(0, len(twinned) - 1))]
        rank = len(builder.specs[value].shape)
        dim = builder.draw(st.sampled_from(_twin_pairs(builder.specs[value].shape)))
        dims = (*range(dim), dim + 1, dim, *range(dim + 2, rank))
    else:
        value = builder.pick(
            lambda value: len(builder.specs[value].shape) >= 2,
            lambda: ValueSpec(_with_twins(builder), _choose(builder, builder.dtypes)),
        )
        dims = tuple(builder.draw(st.permutations(range(len(builder.specs[value].shape)))))
    spec = builder.specs[value]
    shape = tuple(spec.shape[dim] for dim in dims)
    return builder.node("permute", (value,), ValueSpec(shape, spec.dtype),
                        builder.bounds[value], dims=dims)


def _with_twins(builder: _Builder) -> tuple[int, ...]:
    """A shape of rank 2 or more with two neighbouring dims of one size larger than 1."""
    shape = list(builder.shape(min_rank=2))
    dim = builder.draw(st.integers(0, len(shape) - 2))
    shape[dim] = shape[dim + 1] = builder.draw(st.integers(2, max(2, builder.max_dim)))
    return tuple(shape)


def _add_matmul(builder: _Builder, op: str) -> int | None:
    lhs = _operand(builder, _numeric(builder, op), min_rank=2)
    spec = builder.specs[lhs]
    batch, contracted = spec.shape[:-2], spec.shape[-1]

    def fits(value: int) -> bool:
        other = builder.specs[value]
        return (other.dtype == spec.dtype and len(other.shape) >= 2
                and other.shape[-2] == contracted
                and builder.broadcasts(other.shape[:-2], batch))

    def fresh() -> ValueSpec:
        columns = builder.draw(st.integers(1, builder.max_dim))
        other_batch = builder.broadcastable_shape(batch)
        other_batch = other_batch[max(0, len(other_batch) - (builder.max_rank - 2)) :]
        return ValueSpec((*other_batch, contracted, columns), spec.dtype)

    rhs = builder.pick(fits, fresh)
    other = builder.specs[rhs]
    shape = (*broadcast_shapes("", batch, other.shape[:-2]), spec.shape[-2], other.shape[-1])
    a, b = builder.bounds[lhs], builder.bounds[rhs]
    magnitude = contracted * a.magnitude * b.magnitude
    bounds = Bounds(-magnitude, magnitude, sum_bits(a, b))
    return builder.node("matmul", (lhs, rhs), ValueSpec(shape, spec.dtype), bounds)


def _add_reduction(builder: _Builder, op: str) -> int | None:
    value = _operand(builder, _numeric(builder, op), min_rank=1)
    spec, bounds = builder.specs[value], builder.bounds[value]
    dims = tuple(sorted(builder.draw(
        st.lists(st.integers(0, len(spec.shape) - 1), min_size=1, unique=True))))
    twins = _dims_with_a_twin(spec.shape)
    if twins and builder.draw(st.booleans()):
        dims = (builder.draw(st.sampled_from(twins)),)  # reduce one of two equal dims
    keepdim = builder.draw(st.booleans())
    shape = tuple(
        1 if i in dims else size for i, size in enumerate(spec.shape) if keepdim or i not in dims
    )
    if op == "reduce_sum":
        count = math.prod(spec.shape[i] for i in dims)
        bounds = Bounds(min(count * bounds.low, bounds.low), max(count * bounds.high, bounds.high),
                        bounds.fraction_bits)
    elif op == "reduce_mean":
        bounds = Bounds(bounds.low, bounds.high)
    return builder.node(op, (value,), ValueSpec(shape, spec.dtype), bounds,
                        dims=dims, keepdim=keepdim)


def _dims_with_a_twin(shape: tuple[int, ...]) -> list[int]:
    """The dims of `shape` larger than 1 whose neighbour has their size: reducing one of
    them gives the shape reducing the other would, so only values tell them apart."""
    return [
        dim for dim, size in enumerate(shape)
        if size > 1 and size in shape[max(dim - 1, 0) : dim] + shape[dim + 1 : dim + 2]
    ]


_ADDERS: dict[str, Callable[[_Builder, str], int | None]] = {
    **{op: _add_binary for op in BINARY_OPS},
    **{op: _add_unary for op in UNARY_OPS},
    "gelu": _add_gelu,
    **{op: _add_reduction for op in REDUCTION_OPS},
    "cmp": _add_cmp,
    "int_div": _add_int_div,
    "where": _add_where,
    "cast": _add_cast,
    "broadcast": _add_broadcast,
    "reshape": _add_reshape,
    "permute": _add_permute,
    "matmul": _add_matmul,
    "attention": add_attention,
}


@st.composite
def programs(
    draw: Callable,
    max_ops: int = 8,
    ops: Sequence[str] = ALL_OPS,
    dtypes: Sequence[str] = ALL_DTYPES,
    max_rank: int = 3,
    max_dim: int = 4,
    first: str | None = None,
    chain: bool = False,
) -> Program:
    """Programs of 1 to `max_ops` ops drawn from `ops`, on tensors of `dtypes`; the
    `first` op, if given, leads, and with `chain` each op's first operand is the latest
    value that fits (a matmul and its epilogue: `first="matmul", chain=True`).

    The outputs are the results no later op uses. `dtypes` may hold f32, f64, i32, i64
    and i1 (bool); each op draws among those it takes (`BOOL_OPS` take bools, and `cmp`,
    `where`, `cast` and the shape ops take every dtype); ops that need floats use the
    float dtypes among them (f32 if there are none).
    """
    unknown = set(ops) - set(_ADDERS)
    if unknown:
        raise ValueError(f"programs(): unknown ops {sorted(unknown)}; known: {ALL_OPS}")
    if not any(dtype in FLOAT_DTYPES for dtype in dtypes):
        dtypes = (*dtypes, "f32")
    builder = _Builder(draw, tuple(dtypes), max_rank, max_dim, chain)
    wanted = draw(st.integers(1, max_ops))
    weighted = (*ops, *[op for op in ops if op in LAYOUT_OPS] * 2)
    for position in range(wanted):
        op = first if first and position == 0 else draw(st.sampled_from(weighted))
        _ADDERS[op](builder, op)
    if not builder.nodes:
        _add_unary(builder, "neg")
    return builder.program()


@st.composite
def with_weights(draw: Callable, program_strategy: st.SearchStrategy[Program]) -> Program:
    """Programs of `program_strategy` with each argument drawn to be a model weight
    (named `w0`, `w1`... and marked `litho.parameter`) or not, for parameter passes."""
    program = draw(program_strategy)
    arguments = tuple(
        replace(argument, weight=f"w{index}") if draw(st.booleans()) else argument
        for index, argument in enumerate(program.arguments)
    )
    return replace(program, arguments=arguments)
