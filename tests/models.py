"""The model families litho is tested on, and what litho is expected to do with each.

`MODEL_STATUS` is the table the README points to; tests/test_models.py checks every row.
A status is one of:

- "compiles": every op is compiled (no fallback, checked with `strict=True`), and `jit`
  and `torch.compile(backend="litho")` match eager on the last hidden state and the
  logits (DESIGN.md tolerances for matmul/reduction work: rtol 1e-4, atol 1e-5).
- "fallback": some ops run in torch eager; results still match eager.

Models are `transformers` classes (or plain torch) built from small configs with random
weights; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import transformers

MODEL_STATUS = {
    "gpt2": "compiles",
    "llama": "compiles",
    "bert": "compiles",
    "resnet": "compiles",
    "mobile-cnn": "compiles",
}

VOCAB = 128


@dataclass(frozen=True)
class Family:
    """How to build a family's model and its inputs for a batch and sequence length."""

    build: Callable[[], torch.nn.Module]
    inputs: Callable[[int, int], tuple[torch.Tensor, ...]]
    shapes: tuple[tuple[int, int], ...]


def _tokens(batch: int, length: int) -> tuple[torch.Tensor, ...]:
    return (torch.randint(0, VOCAB, (batch, length)),)


def _tokens_and_mask(batch: int, length: int) -> tuple[torch.Tensor, ...]:
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[0, length // 2 + 1 :] = 0
    return (torch.randint(0, VOCAB, (batch, length)), mask)


def _image(batch: int, size: int) -> tuple[torch.Tensor, ...]:
    return (torch.randn(batch, 3, size, size),)


def _gpt2() -> torch.nn.Module:
    config = transformers.GPT2Config(
        n_layer=2, n_embd=64, n_head=4, vocab_size=VOCAB, n_positions=128,
        output_hidden_states=True,
    )
    return transformers.GPT2LMHeadModel(config)


def _llama() -> torch.nn.Module:
    config = transformers.LlamaConfig(
        num_hidden_layers=2, hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
        intermediate_size=128, vocab_size=VOCAB, max_position_embeddings=128,
        output_hidden_states=True,
    )
    return transformers.LlamaForCausalLM(config)


def _bert() -> torch.nn.Module:
    config = transformers.BertConfig(
        num_hidden_layers=2, hidden_size=64, num_attention_heads=4, intermediate_size=128,
        vocab_size=VOCAB, max_position_embeddings=128,
    )
    return transformers.BertModel(config)


def _resnet() -> torch.nn.Module:
    config = transformers.ResNetConfig(
        embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], num_channels=3,
        num_labels=10,
    )
    return transformers.ResNetForImageClassification(config)


class MobileCNN(torch.nn.Module):
    """The CNN ops ResNet lacks: depthwise and dilated convolutions, ReLU6, hardswish,
    average pooling with padding, adaptive average pooling and flatten."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.norm = torch.nn.BatchNorm2d(16)
        self.depthwise = torch.nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16)
        self.pointwise = torch.nn.Conv2d(16, 24, 1)
        self.pool = torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.head = torch.nn.Linear(24, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.relu6(self.norm(self.stem(x)))
        x = torch.nn.functional.hardswish(self.pointwise(self.depthwise(x)))
        x = torch.nn.functional.adaptive_avg_pool2d(self.pool(x), 1)
        return self.head(torch.flatten(x, 1))


FAMILIES = {
    "gpt2": Family(_gpt2, _tokens, ((2, 16), (1, 1), (1, 128))),
    "llama": Family(_llama, _tokens, ((2, 16), (1, 1))),
    "bert": Family(_bert, _tokens_and_mask, ((2, 16), (1, 1))),
    "resnet": Family(_resnet, _image, ((1, 32), (2, 24))),
    "mobile-cnn": Family(MobileCNN, _image, ((2, 32),)),
}


def outputs_to_check(output: object) -> dict[str, torch.Tensor]:
    """The last hidden state and the logits of a model's output, where it has them."""
    if isinstance(output, torch.Tensor):
        return {"logits": output}
    checked = {}
    for name in ("logits", "last_hidden_state", "pooler_output"):
        value = getattr(output, name, None)
        if value is not None:
            checked[name] = value
    hidden_states = getattr(output, "hidden_states", None)
    if hidden_states:
        checked["last_hidden_state"] = hidden_states[-1]
    return checked
