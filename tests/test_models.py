"""Real model families (tests/models.py) through `jit` and `torch.compile`, against eager."""

from __future__ import annotations

import pytest
import torch
from litho.compiler import jit
from models import FAMILIES, MODEL_STATUS, outputs_to_check

TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def _model(family: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return FAMILIES[family].build().eval()


def _assert_matches_eager(got: object, expected: object) -> None:
    got, expected = outputs_to_check(got), outputs_to_check(expected)
    assert expected and set(got) == set(expected)
    for name, value in expected.items():
        torch.testing.assert_close(
            got[name], value, **TOLERANCE, msg=lambda message, name=name: f"{name}: {message}"
        )


def test_status_table_covers_every_family():
    assert set(MODEL_STATUS) == set(FAMILIES)
    assert set(MODEL_STATUS.values()) <= {"compiles", "fallback"}


@pytest.mark.parametrize("family", sorted(MODEL_STATUS))
def test_jit_matches_eager(family):
    model = _model(family)
    strict = MODEL_STATUS[family] == "compiles"
    fast = jit(model, strict=strict)
    for batch, length in FAMILIES[family].shapes:
        inputs = FAMILIES[family].inputs(batch, length)
        with torch.no_grad():
            expected = model(*inputs)
        _assert_matches_eager(fast(*inputs), expected)
    assert len(fast.specializations) == len(FAMILIES[family].shapes)


@pytest.mark.parametrize("family", sorted(MODEL_STATUS))
def test_torch_compile_backend_matches_eager(family):
    """The first two shapes: the second makes Dynamo recompile shape-generic, which the
    backend specializes again."""
    torch._dynamo.reset()
    model = _model(family)
    options = {"strict": MODEL_STATUS[family] == "compiles"}
    compiled = torch.compile(model, backend="litho", options=options)
    for batch, length in FAMILIES[family].shapes[:2]:
        inputs = FAMILIES[family].inputs(batch, length)
        with torch.no_grad():
            _assert_matches_eager(compiled(*inputs), model(*inputs))
