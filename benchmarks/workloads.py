"""The workloads of `litho bench`: GEMMs, row kernels, blocks and whole models.

A workload builds a module and its inputs (seeded, so every contender sees the same
weights) and says how much work one call does: floating-point operations for GEMMs,
bytes read and written for memory-bound kernels, so the report can give GFLOP/s and GB/s.
Models are `transformers` classes from small configs with random weights, as in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from litho.compiler.demo import Block

F = torch.nn.functional


@dataclass(frozen=True)
class Workload:
    """One benchmark: `build()` gives (module, inputs); `kind` is "gemm", "rows", "block"
    or "model"; `flops` and `bytes` are per call (0 where they mean nothing)."""

    name: str
    kind: str
    build: Callable[[], tuple[torch.nn.Module, tuple[torch.Tensor, ...]]]
    flops: int = 0
    bytes: int = 0
    quick: bool = False


class Function(torch.nn.Module):
    """A plain function of tensors as a module (every contender takes modules)."""

    def __init__(self, function: Callable[..., torch.Tensor]):
        super().__init__()
        self.function = function

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.function(*inputs)


def _matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a @ b


def _gated_gelu(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.gelu(a) * b + a


def _swiglu(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.silu(a) * b


def _softmax(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x, dim=-1)


def _seeded(build: Callable[[], tuple[torch.nn.Module, tuple[torch.Tensor, ...]]]):
    def seeded() -> tuple[torch.nn.Module, tuple[torch.Tensor, ...]]:
        torch.manual_seed(0)
        module, inputs = build()
        return module.eval(), inputs

    return seeded


def gemm(m: int, k: int, n: int, quick: bool = False) -> Workload:
    """C[m, n] = A[m, k] @ B[k, n], both operands inputs."""
    return Workload(
        f"gemm-{m}x{k}x{n}", "gemm",
        _seeded(lambda: (Function(_matmul), (torch.randn(m, k), torch.randn(k, n)))),
        flops=2 * m * k * n, bytes=4 * (m * k + k * n + m * n), quick=quick,
    )


def linear(tokens: int, inputs: int, outputs: int, quick: bool = False) -> Workload:
    """A Linear layer (weight a parameter) on [tokens, inputs]: an LLM projection."""
    return Workload(
        f"linear-{inputs}-{outputs}[{tokens}]", "gemm",
        _seeded(lambda: (torch.nn.Linear(inputs, outputs), (torch.randn(tokens, inputs),))),
        flops=2 * tokens * inputs * outputs,
        bytes=4 * (tokens * inputs + inputs * outputs + tokens * outputs), quick=quick,
    )


def rows(name: str, module: Callable[[], torch.nn.Module], shape: tuple[int, int],
         operands: int, quick: bool = False) -> Workload:
    """A memory-bound kernel over `operands` inputs of `shape` and one output."""
    return Workload(
        f"{name}[{shape[0]},{shape[1]}]", "rows",
        _seeded(lambda: (module(), tuple(torch.randn(*shape) for _ in range(operands)))),
        bytes=4 * shape[0] * shape[1] * (operands + 1), quick=quick,
    )


class MLP(torch.nn.Module):
    """Linear, GELU, Linear: a transformer's feed-forward block."""

    def __init__(self, width: int):
        super().__init__()
        self.up = torch.nn.Linear(width, 4 * width)
        self.down = torch.nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))


def block(name: str, module: Callable[[], torch.nn.Module], shape: tuple[int, ...],
          quick: bool = False) -> Workload:
    return Workload(f"{name}[{','.join(map(str, shape))}]", "block",
                    _seeded(lambda: (module(), (torch.randn(*shape),))), quick=quick)


VOCAB = 1024


def _gpt2(layers: int, width: int) -> torch.nn.Module:
    import transformers

    config = transformers.GPT2Config(
        n_layer=layers, n_embd=width, n_head=width // 64, vocab_size=VOCAB,
        n_positions=256, use_cache=False,
    )
    return transformers.GPT2LMHeadModel(config)


def _llama(layers: int, width: int) -> torch.nn.Module:
    import transformers

    config = transformers.LlamaConfig(
        num_hidden_layers=layers, hidden_size=width, num_attention_heads=width // 64,
        num_key_value_heads=max(1, width // 128), intermediate_size=width * 8 // 3,
        vocab_size=VOCAB, max_position_embeddings=256, use_cache=False,
    )
    return transformers.LlamaForCausalLM(config)


def _bert(layers: int, width: int) -> torch.nn.Module:
    import transformers

    config = transformers.BertConfig(
        num_hidden_layers=layers, hidden_size=width, num_attention_heads=width // 64,
        intermediate_size=4 * width, vocab_size=VOCAB, max_position_embeddings=256,
    )
    return transformers.BertModel(config)


def _resnet() -> torch.nn.Module:
    import transformers

    config = transformers.ResNetConfig(
        embedding_size=32, hidden_sizes=[32, 64, 128], depths=[1, 1, 1], num_channels=3,
        num_labels=10,
    )
    return transformers.ResNetForImageClassification(config)


def language_model(family: str, layers: int, width: int, batch: int, length: int,
                   quick: bool = False) -> Workload:
    """A decoder (gpt2, llama) or encoder (bert) on token ids [batch, length]; a length of
    1 is one token (no KV cache)."""
    build = {"gpt2": _gpt2, "llama": _llama, "bert": _bert}[family]
    return Workload(
        f"{family}-{layers}L-d{width}[{batch},{length}]", "model",
        _seeded(lambda: (build(layers, width), (torch.randint(0, VOCAB, (batch, length)),))),
        quick=quick,
    )


def cnn(batch: int, size: int, quick: bool = False) -> Workload:
    return Workload(f"resnet[{batch},3,{size},{size}]", "model",
                    _seeded(lambda: (_resnet(), (torch.randn(batch, 3, size, size),))),
                    quick=quick)


def _rms_norm() -> torch.nn.Module:
    return torch.nn.RMSNorm(1024)


WORKLOADS = [
    gemm(256, 256, 256),
    gemm(512, 512, 512, quick=True),
    gemm(1024, 1024, 1024),
    gemm(2048, 2048, 2048),
    linear(128, 768, 3072, quick=True),
    linear(128, 3072, 768),
    linear(1, 2048, 2048),
    rows("softmax", lambda: Function(_softmax), (256, 2048), 1, quick=True),
    rows("layernorm", lambda: torch.nn.LayerNorm(1024), (512, 1024), 1, quick=True),
    rows("rmsnorm", _rms_norm, (512, 1024), 1),
    rows("gelu(a)*b+a", lambda: Function(_gated_gelu), (512, 2048), 2, quick=True),
    rows("silu(a)*b", lambda: Function(_swiglu), (512, 2048), 2),
    block("mlp-d256", lambda: MLP(256), (1, 32, 256), quick=True),
    block("mlp-d512", lambda: MLP(512), (8, 128, 512)),
    block("transformer-block-d256", lambda: Block(256, 4), (1, 128, 256), quick=True),
    language_model("gpt2", 2, 256, 1, 128, quick=True),
    language_model("gpt2", 2, 256, 4, 128),
    language_model("gpt2", 2, 256, 1, 1),
    language_model("llama", 2, 256, 1, 128),
    language_model("llama", 2, 256, 4, 128),
    language_model("llama", 2, 256, 1, 1, quick=True),
    language_model("bert", 2, 256, 4, 128),
    cnn(1, 64),
    language_model("gpt2", 12, 256, 1, 64),
    language_model("gpt2", 12, 768, 1, 128),
    language_model("llama", 12, 512, 1, 128),
]
"""The suite, in the order it runs; `quick` marks the `--quick` subset."""

KINDS = ("gemm", "rows", "block", "model")


def select(names: list[str], quick: bool) -> list[Workload]:
    """Workloads by name or kind (all of them, or the quick ones, for none); a name that
    matches nothing raises ValueError listing what exists."""
    if not names:
        return [w for w in WORKLOADS if w.quick or not quick]
    chosen = []
    for name in names:
        matched = [w for w in WORKLOADS if name in (w.name, w.kind) or w.name.startswith(name)]
        if not matched:
            known = ", ".join([*KINDS, *(w.name for w in WORKLOADS)])
            raise ValueError(f"no workload or kind {name!r}; there are: {known}")
        chosen += [w for w in matched if w not in chosen and (w.quick or not quick)]
    return chosen
