"""`litho demo`: compile a built-in GPT-style language model, check it against eager and
time both. The model is plain torch (no downloads, no extra packages): token and
position embeddings, pre-norm blocks of causal self-attention and a GELU MLP, and a
language-model head tied to the embedding.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from litho.compiler.driver import jit

F = torch.nn.functional


class Block(torch.nn.Module):
    """Pre-norm transformer block: causal multi-head attention, then a GELU MLP."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(width)
        self.qkv = torch.nn.Linear(width, 3 * width)
        self.proj = torch.nn.Linear(width, width)
        self.norm2 = torch.nn.LayerNorm(width)
        self.up = torch.nn.Linear(width, 4 * width)
        self.down = torch.nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(width, dim=-1)
        q, k, v = (t.view(batch, length, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(attended.transpose(1, 2).reshape(batch, length, width))
        return x + self.down(F.gelu(self.up(self.norm2(x)), approximate="tanh"))


class DemoGPT(torch.nn.Module):
    """A small GPT: `layers` blocks over `width`-wide embeddings of `vocab` tokens."""

    def __init__(self, vocab: int = 256, width: int = 64, layers: int = 2, heads: int = 4,
                 context: int = 128):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocab, width)
        self.positions = torch.nn.Embedding(context, width)
        self.blocks = torch.nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = torch.nn.LayerNorm(width)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1])
        x = self.tokens(ids) + self.positions(positions)
        for block in self.blocks:
            x = block(x)
        return self.norm(x) @ self.tokens.weight.t()


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


def run_demo(batch: int = 4, length: int = 64, width: int = 64) -> float:
    """Compile DemoGPT, print the report, and return the largest logit error vs eager."""
    torch.manual_seed(0)
    model = DemoGPT(width=width).eval()
    ids = torch.randint(0, 256, (batch, length))
    fast = jit(model, strict=True)
    start = time.perf_counter()
    result = fast(ids)
    compile_seconds = time.perf_counter() - start
    with torch.no_grad():
        expected = model(ids)
    error = (result - expected).abs().max().item()
    torch.testing.assert_close(result, expected, rtol=1e-4, atol=1e-5)
    report = fast.last_compile
    assert report is not None
    print(f"litho demo: DemoGPT(width={width}, 2 layers) on token ids [{batch}, {length}]")
    print(f"  compile time      {compile_seconds:8.2f} s")
    for level, count in report.op_counts.items():
        print(f"  ops at {level:<16} {count:6d}")
    with torch.no_grad():
        eager_seconds = median_seconds(lambda: model(ids))
    litho_seconds = median_seconds(lambda: fast(ids))
    print(f"  max |litho - eager| {error:.2e}  (logits match within rtol 1e-4, atol 1e-5)")
    ratio = litho_seconds / eager_seconds
    print(
        f"  time per call     litho {litho_seconds * 1e3:8.3f} ms   "
        f"eager {eager_seconds * 1e3:8.3f} ms   litho/eager {ratio:.2f}x"
    )
    return error
