"""Call scenarios: what a user does with a compiled model besides calling it once.

`programs()` checks what a model computes; these strategies check how `jit` meets the
caller around it, the classes of silent differences a compiler's runtime can have:

- `call_scenarios()`: a generated program wrapped in a module whose weights are
  parameters and buffers, called, given new weights (assigned, replaced or updated in
  place, sometimes of another dtype), and called again; the first call from several
  threads at once; in-place updates of a buffer and of an input; non-tensor outputs.
- `index_cases()`: embedding, gather, index_select and `x[idx]` on ids drawn in range,
  negative, and out of range: `jit` must raise where eager raises and agree elsewhere.

`check_scenario(scenario)` and `check_index_case(case)` return None when `jit` behaves
as eager did, else what differed; tests/test_scenarios.py runs them under hypothesis.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from hypothesis import strategies as st
from litho.compiler.driver import jit
from litho.compiler.errors import IndexOutOfBoundsError
from litho.compiler.testing.inputs import inputs_for
from litho.compiler.testing.program import TORCH_DTYPES, Program
from litho.compiler.testing.strategies import programs

WEIGHT_UPDATES = ("assign", "replace", "in_place")


@dataclass(frozen=True)
class Scenario:
    """A program whose arguments at `weights` are module state, and how it is called."""

    program: Program
    weights: tuple[int, ...]
    first: list[np.ndarray]
    second: list[np.ndarray]
    update: str
    threads: int
    counts_calls: bool
    mutates_input: bool
    extra_outputs: bool


class ScenarioModule(torch.nn.Module):
    """The program as a model: weights are parameters (floats) or buffers (the rest)."""

    def __init__(self, scenario: Scenario):
        super().__init__()
        self.scenario = scenario
        self.inner = scenario.program.to_torch()
        for position in scenario.weights:
            set_weight(self, position, torch.from_numpy(np.array(scenario.first[position])))
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))

    def forward(self, *inputs: torch.Tensor) -> object:
        scenario = self.scenario
        values = iter(inputs)
        arguments = [
            getattr(self, f"weight{position}") if position in scenario.weights else next(values)
            for position in range(len(scenario.program.arguments))
        ]
        outputs = self.inner(*arguments)
        if scenario.counts_calls:
            self.calls.add_(1)
        if scenario.mutates_input and inputs:
            inputs[0].copy_(mutated(inputs[0]))
        if scenario.extra_outputs:
            return {"outputs": outputs, "none": None, "count": len(outputs),
                    "shape": outputs[0].shape, "name": "scenario"}
        return outputs


def mutated(value: torch.Tensor) -> torch.Tensor:
    """What the scenario's in-place update makes of its first input."""
    return ~value if value.dtype == torch.bool else value * 2


def set_weight(module: torch.nn.Module, position: int, value: torch.Tensor) -> None:
    name = f"weight{position}"
    if value.is_floating_point():
        setattr(module, name, torch.nn.Parameter(value, requires_grad=False))
    else:
        module.register_buffer(name, value)


@st.composite
def call_scenarios(draw: Callable, max_ops: int = 5) -> Scenario:
    """A program, which of its arguments are weights, two sets of inputs, and the calls."""
    program = draw(programs(max_ops=max_ops))
    positions = range(len(program.arguments))
    weights = tuple(sorted(draw(st.sets(st.sampled_from(positions))))) if positions else ()
    # an output that is an input would alias it in eager, and see the update
    returns_an_input = any(value < len(program.arguments) for value in program.outputs)
    return Scenario(
        program,
        weights,
        draw(inputs_for(program)),
        draw(inputs_for(program)),
        draw(st.sampled_from(WEIGHT_UPDATES)),
        draw(st.sampled_from((1, 1, 3))),
        draw(st.booleans()),
        draw(st.booleans()) and not returns_an_input,
        draw(st.booleans()),
    )


def update_weights(module: ScenarioModule, values: list[np.ndarray], how: str) -> None:
    """Give `module` the weights in `values` as a user would (`WEIGHT_UPDATES`)."""
    for position in module.scenario.weights:
        value = torch.from_numpy(np.array(values[position]))
        current = getattr(module, f"weight{position}")
        if how == "in_place":
            with torch.no_grad():
                current.copy_(value)
        elif how == "assign" and isinstance(current, torch.nn.Parameter):
            current.data = value
        else:
            set_weight(module, position, value)


def check_scenario(scenario: Scenario, **options: object) -> str | None:
    """None if `jit` (given `options`) behaves as eager through the scenario's calls,
    else what differed."""
    eager, compiled = ScenarioModule(scenario), ScenarioModule(scenario)
    fast = jit(compiled, **options)
    for call, values in enumerate((scenario.first, scenario.second)):
        if call:
            update_weights(eager, values, scenario.update)
            update_weights(compiled, values, scenario.update)
        inputs = [
            torch.from_numpy(np.array(value))
            for position, value in enumerate(values)
            if position not in scenario.weights
        ]
        with torch.no_grad():
            for _ in range(scenario.threads):
                expected = eager(*[value.clone() for value in inputs])
        copies = [[value.clone() for value in inputs] for _ in range(scenario.threads)]
        for index, (actual, used) in enumerate(_call_from_threads(fast, copies)):
            problem = _difference(expected, actual)
            if scenario.mutates_input and inputs and not problem:
                problem = _difference(mutated(inputs[0]), used[0])
            if problem:
                return f"call {call + 1}, thread {index}: {problem}"
        if problem := _difference(eager.calls, compiled.calls):
            return f"call {call + 1}: the call counter buffer: {problem}"
    return None


def _call_from_threads(fast: Callable, inputs: list[list[torch.Tensor]]) -> list:
    results: list = [None] * len(inputs)

    def call(index: int) -> None:
        try:
            results[index] = (fast(*inputs[index]), inputs[index])
        except Exception as error:  # noqa: BLE001  (an exception is the finding)
            results[index] = (error, inputs[index])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _difference(expected: object, actual: object) -> str | None:
    """Why `actual` is not what eager gave (exact for integers, close for floats)."""
    if isinstance(actual, Exception):
        return f"jit raised {type(actual).__name__}: {actual}"
    if isinstance(expected, dict | tuple | list):
        if type(expected) is not type(actual) and not isinstance(expected, tuple):
            return f"expected a {type(expected).__name__}, got {type(actual).__name__}"
        pairs = (
            zip(expected.values(), actual.values(), strict=True)
            if isinstance(expected, dict)
            else zip(expected, actual, strict=True)
        )
        return next((problem for e, a in pairs if (problem := _difference(e, a))), None)
    if not isinstance(expected, torch.Tensor):
        return None if expected == actual else f"expected {expected!r}, got {actual!r}"
    if not isinstance(actual, torch.Tensor) or actual.dtype != expected.dtype:
        return f"expected a {expected.dtype} tensor, got {actual!r}"
    if expected.is_floating_point():
        close = torch.allclose(actual, expected, rtol=1e-4, atol=1e-5, equal_nan=True)
    else:
        close = torch.equal(actual, expected)
    return None if close else f"values differ: {actual.tolist()} vs eager {expected.tolist()}"


INDEXING: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "embedding": lambda table, ids: torch.nn.functional.embedding(ids, table),
    "gather": lambda table, ids: torch.gather(table, 1, ids.view(1, -1).expand(len(table), -1)),
    "index_select": lambda table, ids: torch.index_select(table, 0, ids),
    "index": lambda table, ids: table[ids],
    "index_two_dims": lambda table, ids: table[ids, ids],
}


@dataclass(frozen=True)
class IndexCase:
    form: str
    rows: int
    columns: int
    ids: tuple[int, ...]
    dtype: str


@st.composite
def index_cases(draw: Callable) -> IndexCase:
    """An indexing form on a table, with ids in range, negative, or out of range."""
    rows, columns = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    size = max(rows, columns)
    ids = draw(st.lists(st.integers(-2 * size - 1, 2 * size + 1), min_size=1, max_size=5))
    return IndexCase(
        draw(st.sampled_from(sorted(INDEXING))), rows, columns, tuple(ids),
        draw(st.sampled_from(("i64", "i32"))),
    )


def check_index_case(case: IndexCase) -> str | None:
    """None if `jit` raises where eager raises and agrees with it elsewhere."""
    table = torch.arange(case.rows * case.columns, dtype=torch.float32)
    table = table.reshape(case.rows, case.columns)
    ids = torch.tensor(case.ids, dtype=TORCH_DTYPES[case.dtype])
    form = INDEXING[case.form]

    def function(table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        return form(table, ids)

    try:
        expected = function(table, ids)
    except (IndexError, RuntimeError):
        expected = None
    try:
        actual = jit(function, strict=True)(table, ids)
    except IndexOutOfBoundsError as error:
        return None if expected is None else f"jit raised where eager did not: {error}"
    except Exception as error:  # noqa: BLE001  (an exception is the finding)
        return f"jit raised {type(error).__name__}: {error}"
    if expected is None:
        return f"eager raised, jit returned {actual.tolist()}"
    return _difference(expected, actual)
