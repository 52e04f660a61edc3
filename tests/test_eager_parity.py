"""Eager parity: the answer eager gives, or a clear LithoError; never a silent difference.

Each test here failed on a form litho once got silently wrong or crashed on.
"""

import pytest
import torch
from litho.compiler import jit

BOOLS = (torch.tensor([True, False, True, False]), torch.tensor([False, True, True, False]))

BOOLEAN_FORMS = {
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "ge": lambda a, b: a >= b,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "amax": lambda a, b: torch.stack([a, b]).amax(0),
    "amax_all": lambda a, b: b.amax(),
    "compare_with_scalar": lambda a, b: (a > False) & (b >= True),
}


@pytest.mark.parametrize("form", BOOLEAN_FORMS)
def test_ordered_comparisons_and_max_min_of_bools(form):
    function = BOOLEAN_FORMS[form]
    assert torch.equal(jit(function, strict=True)(*BOOLS), function(*BOOLS))


@pytest.mark.parametrize("form", ["gt", "maximum", "amax"])
def test_bool_forms_through_torch_compile(form):
    function = BOOLEAN_FORMS[form]
    torch._dynamo.reset()
    compiled = torch.compile(function, backend="litho", options={"strict": True})
    assert torch.equal(compiled(*BOOLS), function(*BOOLS))
