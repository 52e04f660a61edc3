"""`litho demo`: compile a built-in MLP block, check it against eager and time both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from litho.compiler.driver import jit


class DemoMLP(torch.nn.Module):
    """A transformer-style MLP block: Linear -> GELU -> Linear, residual, LayerNorm, softmax."""

    def __init__(self, width: int):
        super().__init__()
        self.up = torch.nn.Linear(width, 4 * width)
        self.down = torch.nn.Linear(4 * width, width)
        self.norm = torch.nn.LayerNorm(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.down(torch.nn.functional.gelu(self.up(x)))
        return torch.softmax(self.norm(hidden + x), dim=-1)


def median_seconds(function: Callable[[], object], repeats: int = 50) -> float:
    """Median wall time of `function` over `repeats` runs, after 5 warm-up runs."""
    for _ in range(5):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_demo(batch: int = 8, width: int = 128) -> float:
    """Compile DemoMLP, print the report, and return the largest error against eager."""
    torch.manual_seed(0)
    model = DemoMLP(width).eval()
    x = torch.randn(batch, width)
    fast = jit(model)
    start = time.perf_counter()
    result = fast(x)
    compile_seconds = time.perf_counter() - start
    with torch.no_grad():
        expected = model(x)
    error = (result - expected).abs().max().item()
    torch.testing.assert_close(result, expected, rtol=1e-4, atol=1e-5)
    report = fast.last_compile
    assert report is not None
    print(f"litho demo: DemoMLP(width={width}) on input [{batch}, {width}]")
    print(f"  compile time      {compile_seconds:8.2f} s")
    for level, count in report.op_counts.items():
        print(f"  ops at {level:<16} {count:6d}")
    with torch.no_grad():
        eager_seconds = median_seconds(lambda: model(x))
    litho_seconds = median_seconds(lambda: fast(x))
    print(f"  max |litho - eager| {error:.2e}  (matches eager within rtol 1e-4, atol 1e-5)")
    ratio = litho_seconds / eager_seconds
    print(
        f"  time per call     litho {litho_seconds * 1e3:8.3f} ms   "
        f"eager {eager_seconds * 1e3:8.3f} ms   litho/eager {ratio:.2f}x"
    )
    return error
