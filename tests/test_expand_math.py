"""litho-expand-math in native code: fp32 exp, erf and tanh against float64, in ulps.

The expansions are polynomials and rational functions that vectorize; these tests
measure them as compiled (with FMAs) over a dense grid of each function's range, tiny
arguments, and the special values.
"""

import numpy as np
import pytest
import torch
from litho.compiler import jit

SPECIALS = torch.tensor([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-45, -1e-45,
                         3.4e38, -3.4e38])


def _arguments(low: float, high: float) -> torch.Tensor:
    tiny = torch.logspace(-38, 0, 20_001)
    return torch.cat([torch.linspace(low, high, 2_000_001), tiny, -tiny, SPECIALS])


@pytest.mark.parametrize(("function", "low", "high", "ulps"), [
    (torch.exp, -104.0, 89.0, 2),
    (torch.erf, -5.0, 5.0, 8),
    (torch.tanh, -10.0, 10.0, 8),
])
def test_expansion_is_accurate_to_a_few_ulps(function, low, high, ulps):
    x = _arguments(low, high)
    got = jit(function)(x).numpy()
    exact = function(x.double()).numpy()
    with np.errstate(over="ignore"):
        rounded = exact.astype(np.float32)
    special = ~np.isfinite(rounded)
    np.testing.assert_array_equal(got[special], rounded[special])
    finite = ~special
    error = np.abs(got[finite].astype(np.float64) - exact[finite])
    in_ulps = error / np.spacing(np.abs(rounded[finite])).astype(np.float64)
    worst = int(np.argmax(in_ulps))
    assert in_ulps[worst] <= ulps, (
        f"{function.__name__}({x[finite][worst].item()!r}) is {got[finite][worst]!r}, "
        f"{in_ulps[worst]:.1f} ulps from {exact[finite][worst]!r}"
    )
