"""`jit` against eager through call scenarios and on indices in and out of range
(compiler/testing/scenarios.py): weight updates between calls, in-place updates of
buffers and inputs, non-tensor outputs, first calls from several threads."""

from hypothesis import HealthCheck, given, settings
from litho.compiler.testing.scenarios import (
    call_scenarios,
    check_index_case,
    check_scenario,
    index_cases,
)

SETTINGS = settings(
    max_examples=40, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@SETTINGS
@given(call_scenarios())
def test_call_scenarios_behave_as_eager(scenario):
    assert check_scenario(scenario) is None


@SETTINGS
@given(call_scenarios())
def test_call_scenarios_behave_as_eager_with_frozen_weights(scenario):
    """Weights replaced, assigned `.data` or updated in place between calls: the derived
    weights `freeze_weights` computes at compile time are made again."""
    assert check_scenario(scenario, freeze_weights=True) is None


@SETTINGS
@given(index_cases())
def test_indices_in_and_out_of_range_behave_as_eager(case):
    assert check_index_case(case) is None
