"""The program generators draw what passes get wrong: equal dims, chains of movement ops,
awkward constants, and every dtype, in the first hundred or two hundred examples."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from litho.compiler.testing import (
    Argument,
    Program,
    ValueSpec,
    inputs_for,
    movement_programs,
    programs,
)

EXAMPLES = 100
ORDERED = ("lt", "le", "gt", "ge")
FOLDED = (0, 1, -1, 2, 0.5)


def _features(program: Program) -> set[str]:
    found = set()
    for node in program.nodes:
        operands = [program.spec_of(value) for value in node.operands]
        found |= {f"{spec.dtype} operand" for spec in operands}
        bools = bool(operands) and operands[0].dtype == "i1"
        if node.op == "cmp" and bools and node.attributes["predicate"] in ORDERED:
            found.add("ordered cmp of bools")
        if node.op in ("max", "min", "reduce_max") and bools:
            found.add("max or min of bools")
        if node.op.startswith("reduce") and _reduces_one_of_two_equal_dims(node, operands[0]):
            found.add("partial reduction over one of two equal dims")
        dims = node.attributes.get("dims", ())
        if node.op == "permute" and node.result == operands[0] and list(dims) != sorted(dims):
            found.add("transpose that keeps the type")
        if node.op == "constant":
            found |= _constant_kinds(node.attributes["value"], node.result.dtype)
        consumer = {program.nodes[v - len(program.arguments)].op for v in node.operands
                    if v >= len(program.arguments)}
        found |= {f"{node.op} of {op}" for op in consumer}
    return found


def _reduces_one_of_two_equal_dims(node, operand) -> bool:
    shape, dims = operand.shape, node.attributes["dims"]
    twins = [dim for dim in range(len(shape) - 1) if shape[dim] == shape[dim + 1] > 1]
    partial = len(dims) < len(shape)
    return partial and any((dim in dims) != (dim + 1 in dims) for dim in twins)


def _constant_kinds(value: float, dtype: str) -> set[str]:
    if value in FOLDED or dtype == "i1":
        return set()
    kinds = {"constant beyond 0, 1, -1, 2, 0.5"}
    if value < 0:
        kinds.add("negative constant")
    if abs(value) >= 1000:
        kinds.add("large constant")
    if 0 < abs(value) < 0.01:
        kinds.add("small constant")
    if dtype in ("f32", "f64") and not (value * 2**24).is_integer():
        kinds.add("constant no float holds exactly")
    if dtype in ("i32", "i64") and abs(value) >= 2**19:
        kinds.add("integer constant near the value limit")
    return kinds


def _drawn(strategy, examples: int = EXAMPLES) -> Counter[str]:
    counts: Counter[str] = Counter()

    @seed(0)
    @settings(max_examples=examples, database=None, deadline=None, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(program: Program) -> None:
        counts.update(_features(program))

    collect()
    return counts


@pytest.fixture(scope="module")
def default_programs() -> Counter[str]:
    return _drawn(programs(), examples=2 * EXAMPLES)


@pytest.mark.parametrize("dtype", ["f32", "f64", "i32", "i64", "i1"])
def test_programs_draw_operands_of_every_dtype(default_programs, dtype):
    assert default_programs[f"{dtype} operand"] >= 15, default_programs


@pytest.mark.parametrize("feature", [
    "ordered cmp of bools",
    "max or min of bools",
    "partial reduction over one of two equal dims",
    "transpose that keeps the type",
])
def test_programs_draw_the_forms_passes_confuse(default_programs, feature):
    assert default_programs[feature] >= 2, default_programs


@pytest.mark.parametrize("kind", [
    "negative constant",
    "large constant",
    "small constant",
    "constant no float holds exactly",
    "integer constant near the value limit",
])
def test_programs_draw_constants_beyond_the_folded_ones(kind):
    counts = _drawn(programs(ops=("add", "mul", "max")), examples=200)
    assert counts[kind] >= 2, counts


def test_movement_programs_chain_their_ops():
    counts = _drawn(movement_programs(), examples=200)
    chained = {feature for feature in counts if " of " in feature and "neg" not in feature}
    assert len(chained) >= 10, counts
    assert counts["slice of slice"] + counts["pad of pad"] + counts["concat of concat"] >= 2


@pytest.mark.parametrize("dtype", ["f32", "f64", "i32", "i64", "i1"])
def test_movement_programs_draw_every_dtype(dtype):
    counts = _drawn(movement_programs(), examples=200)
    assert counts[f"{dtype} operand"] >= 4, counts


def test_checks_see_mostly_distinct_programs():
    """As checks draw them (a program, then its inputs), 100 examples hold at least 60
    distinct programs: inputs come from one seed per argument, so hypothesis's mutations
    change programs rather than input elements (it was about 50)."""
    texts = []

    @seed(0)
    @settings(max_examples=EXAMPLES, database=None, deadline=None, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @given(programs(), st.data())
    def collect(program: Program, data: st.DataObject) -> None:
        data.draw(inputs_for(program))
        texts.append(str(program.to_module()))

    collect()
    assert len(set(texts)) >= 60, len(set(texts))


def test_inputs_are_in_range_and_on_the_grid():
    program = Program(
        (Argument(ValueSpec((4, 4, 4), "f32"), -3, 3), Argument(ValueSpec((5,), "i1"), 0, 1),
         Argument(ValueSpec((3,), "i64"), -2, 7)),
        (), (),
    )

    @settings(max_examples=20, database=None, deadline=None)
    @given(inputs_for(program))
    def check(inputs) -> None:
        floats, bools, integers = inputs
        assert floats.dtype == np.float32 and floats.shape == (4, 4, 4)
        assert np.all(floats * 4 == np.round(floats * 4)) and np.abs(floats).max() <= 3
        assert bools.dtype == np.bool_ and integers.dtype == np.int64
        assert integers.min() >= -2 and integers.max() <= 7

    check()
