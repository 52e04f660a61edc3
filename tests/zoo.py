"""The transformers model zoo through `jit(strict=True)`, against eager, as a new user runs it.

Every text decoder, encoder and vision family here is built from its config class in its
default configuration, with only the sizes made small (two layers, width 128, four heads,
a vocabulary of 256, images of 32x32) and random weights; nothing is downloaded. Each
model is called as a user calls it, with keyword arguments (`input_ids`, an
`attention_mask` for encoders, `pixel_values`), so decoders return their KV cache too
(`use_cache=True` is their default), and its main output (`logits`, or
`last_hidden_state`) is compared with eager at rtol 1e-4, atol 1e-5.

`ZOO_STATUS` records what litho does with each family: "matches" (compiled with no
fallback and equal to eager), or why not (the unsupported ATen ops, a capture error, a
mismatch). tests/test_zoo.py checks the table: `CI_FAMILIES` on every run, every family
with `LITHO_ZOO=all`. `python -m tests.zoo [family ...]` prints the table with timings.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import torch
import transformers as hf
from litho.compiler import LithoError, jit
from litho.compiler.errors import UnsupportedOpsError

VOCAB = 256
BATCH, LENGTH, IMAGE = 2, 12, 32
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}
MEANINGFUL_SCALE = 1e-2  # an output smaller than this would match almost anything
TOKEN_ID_FIELDS = ("bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id")


Inputs = dict[str, torch.Tensor]


def tokens() -> Inputs:
    return {"input_ids": torch.randint(3, VOCAB, (BATCH, LENGTH))}


def tokens_and_mask() -> Inputs:
    """Token ids and an attention mask with padding at the end of the first sequence."""
    mask = torch.ones(BATCH, LENGTH, dtype=torch.long)
    mask[0, LENGTH // 2 + 1 :] = 0
    return {"input_ids": torch.randint(3, VOCAB, (BATCH, LENGTH)), "attention_mask": mask}


def image() -> Inputs:
    return {"pixel_values": torch.randn(BATCH, 3, IMAGE, IMAGE)}


@dataclass(frozen=True)
class ZooFamily:
    """A family's config and model classes, the sizes that make it small, its inputs."""

    config: type
    model: type
    sizes: dict[str, object]
    inputs: Callable[[], Inputs]
    output: str = "last_hidden_state"
    decoder: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    # transformers' initialization (std 0.02) shrinks deep CNNs' activations to nothing
    # (MobileNetV2 ends near 1e-25, EfficientNet at 0), which any result would match
    default_init: bool = False

    def make_config(self) -> hf.PretrainedConfig:
        config = self.config(**self.sizes, **self.extra)
        for name in TOKEN_ID_FIELDS:
            value = getattr(config, name, None)
            if isinstance(value, int) and value >= VOCAB:
                setattr(config, name, VOCAB - 1)  # a small vocabulary moves special ids
        return config

    def build(self) -> torch.nn.Module:
        config = self.make_config()
        torch.manual_seed(0)
        model = self.model(config).eval()
        if self.default_init:
            _reinitialize(model)
        return model


def _reinitialize(model: torch.nn.Module) -> None:
    """PyTorch's default initialization for every layer, and random batch-norm
    statistics and affine parameters, so activations keep their scale."""
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)


TEXT = {"vocab_size": VOCAB, "max_position_embeddings": 64}
LAYERS = {"num_hidden_layers": 2, "hidden_size": 128, "num_attention_heads": 4}
DECODER = {**TEXT, **LAYERS, "intermediate_size": 256}
GPT_STYLE = {"vocab_size": VOCAB, "n_layer": 2, "n_embd": 128, "n_head": 4}
VISION = {**LAYERS, "intermediate_size": 256, "image_size": IMAGE, "patch_size": 8}


def _decoder(config: type, model: type, **sizes: object) -> ZooFamily:
    return ZooFamily(config, model, sizes, tokens, output="logits", decoder=True)


def _encoder(config: type, model: type, **sizes: object) -> ZooFamily:
    return ZooFamily(config, model, sizes, tokens_and_mask)


def _vision(config: type, model: type, **sizes: object) -> ZooFamily:
    return ZooFamily(config, model, sizes, image)


ZOO: dict[str, ZooFamily] = {
    # text decoders (causal LMs: logits)
    "gpt2": _decoder(hf.GPT2Config, hf.GPT2LMHeadModel, **GPT_STYLE, n_positions=64),
    "gpt-neo": _decoder(
        hf.GPTNeoConfig, hf.GPTNeoForCausalLM, **TEXT, num_layers=2, hidden_size=128,
        num_heads=4, attention_types=[[["global", "local"], 1]],
    ),
    "gpt-j": _decoder(hf.GPTJConfig, hf.GPTJForCausalLM, **GPT_STYLE, n_positions=64,
                      rotary_dim=16),
    "gpt-neox": _decoder(hf.GPTNeoXConfig, hf.GPTNeoXForCausalLM, **DECODER),
    "opt": _decoder(
        hf.OPTConfig, hf.OPTForCausalLM, **TEXT, num_hidden_layers=2, hidden_size=128,
        num_attention_heads=4, ffn_dim=256, word_embed_proj_dim=128,
    ),
    "bloom": _decoder(hf.BloomConfig, hf.BloomForCausalLM, vocab_size=VOCAB, n_layer=2,
                      hidden_size=128, n_head=4),
    "falcon": _decoder(hf.FalconConfig, hf.FalconForCausalLM, **TEXT, **LAYERS,
                       ffn_hidden_size=256),
    "llama": _decoder(hf.LlamaConfig, hf.LlamaForCausalLM, **DECODER),
    "mistral": _decoder(hf.MistralConfig, hf.MistralForCausalLM, **DECODER,
                        num_key_value_heads=2),
    "mixtral": _decoder(hf.MixtralConfig, hf.MixtralForCausalLM, **DECODER,
                        num_key_value_heads=2, num_local_experts=4),
    "qwen2": _decoder(hf.Qwen2Config, hf.Qwen2ForCausalLM, **DECODER, num_key_value_heads=2),
    "qwen2-moe": _decoder(
        hf.Qwen2MoeConfig, hf.Qwen2MoeForCausalLM, **DECODER, num_key_value_heads=2,
        num_experts=4, num_experts_per_tok=2, moe_intermediate_size=64,
        shared_expert_intermediate_size=128,
    ),
    "qwen3": _decoder(hf.Qwen3Config, hf.Qwen3ForCausalLM, **DECODER, num_key_value_heads=2,
                      head_dim=32),
    "phi": _decoder(hf.PhiConfig, hf.PhiForCausalLM, **DECODER),
    "phi3": _decoder(hf.Phi3Config, hf.Phi3ForCausalLM, **DECODER,
                     original_max_position_embeddings=64),
    "gemma": _decoder(hf.GemmaConfig, hf.GemmaForCausalLM, **DECODER, num_key_value_heads=2,
                      head_dim=32),
    "gemma2": _decoder(hf.Gemma2Config, hf.Gemma2ForCausalLM, **DECODER,
                       num_key_value_heads=2, head_dim=32, query_pre_attn_scalar=32,
                       sliding_window=8),
    "stablelm": _decoder(hf.StableLmConfig, hf.StableLmForCausalLM, **DECODER,
                         num_key_value_heads=4),
    "starcoder2": _decoder(hf.Starcoder2Config, hf.Starcoder2ForCausalLM, **DECODER,
                           num_key_value_heads=2),
    "olmo": _decoder(hf.OlmoConfig, hf.OlmoForCausalLM, **DECODER),
    "codegen": _decoder(hf.CodeGenConfig, hf.CodeGenForCausalLM, **GPT_STYLE, n_positions=64,
                        n_ctx=64, rotary_dim=16),
    # text encoders (last hidden state)
    "bert": _encoder(hf.BertConfig, hf.BertModel, **DECODER),
    "roberta": _encoder(hf.RobertaConfig, hf.RobertaModel, **DECODER),
    "distilbert": _encoder(hf.DistilBertConfig, hf.DistilBertModel, **TEXT, n_layers=2,
                           dim=128, n_heads=4, hidden_dim=256),
    "albert": _encoder(hf.AlbertConfig, hf.AlbertModel, **DECODER, embedding_size=64),
    "electra": _encoder(hf.ElectraConfig, hf.ElectraModel, **DECODER, embedding_size=64),
    "deberta-v2": _encoder(hf.DebertaV2Config, hf.DebertaV2Model, **DECODER),
    "xlm-roberta": _encoder(hf.XLMRobertaConfig, hf.XLMRobertaModel, **DECODER),
    "mpnet": _encoder(hf.MPNetConfig, hf.MPNetModel, **DECODER),
    "t5-encoder": _encoder(hf.T5Config, hf.T5EncoderModel, vocab_size=VOCAB, num_layers=2,
                           d_model=128, d_kv=32, d_ff=256, num_heads=4),
    "clip-text": _encoder(hf.CLIPTextConfig, hf.CLIPTextModel, **DECODER),
    # vision (last hidden state)
    "vit": _vision(hf.ViTConfig, hf.ViTModel, **VISION),
    "deit": _vision(hf.DeiTConfig, hf.DeiTModel, **VISION),
    "beit": _vision(hf.BeitConfig, hf.BeitModel, **VISION),
    "data2vec-vision": _vision(hf.Data2VecVisionConfig, hf.Data2VecVisionModel, **VISION),
    "clip-vision": _vision(hf.CLIPVisionConfig, hf.CLIPVisionModel, **VISION),
    "swin": _vision(hf.SwinConfig, hf.SwinModel, image_size=IMAGE, embed_dim=32,
                    depths=[1, 1], num_heads=[2, 4], window_size=4),
    "convnext": _vision(hf.ConvNextConfig, hf.ConvNextModel, num_stages=2,
                        hidden_sizes=[16, 32], depths=[1, 1], image_size=IMAGE),
    "resnet": _vision(hf.ResNetConfig, hf.ResNetModel, embedding_size=16,
                      hidden_sizes=[16, 32], depths=[1, 1]),
    "regnet": _vision(hf.RegNetConfig, hf.RegNetModel, embedding_size=16,
                      hidden_sizes=[16, 32], depths=[1, 1], groups_width=8),
    "mobilenet-v2": replace(
        _vision(hf.MobileNetV2Config, hf.MobileNetV2Model, image_size=IMAGE,
                depth_multiplier=0.35),
        default_init=True,
    ),
    "efficientnet": replace(
        _vision(hf.EfficientNetConfig, hf.EfficientNetModel, image_size=IMAGE,
                width_coefficient=0.25, depth_coefficient=0.25, hidden_dim=320),
        default_init=True,
    ),
}

# every family matches eager; one that stops matching (or a new one that fails) is
# listed here with its status line
ZOO_STATUS: dict[str, str] = {
    **{family: "matches" for family in ZOO},
}

# quick and varied: a decoder with rotary embeddings and grouped KV heads, a mixture of
# experts (top-k routing, sort, scatter), an encoder with a padding mask, a vision
# transformer and a CNN (about 35 s in all)
CI_FAMILIES = ("llama", "mixtral", "bert", "vit", "resnet")


@dataclass(frozen=True)
class Outcome:
    """What one family did: its status line and the seconds it took."""

    status: str
    seconds: float


def main_output(family: ZooFamily, output: object) -> torch.Tensor:
    return output if isinstance(output, torch.Tensor) else getattr(output, family.output)


def run_family(name: str) -> str:
    """The family's status: "matches", or why litho does not match eager on it."""
    family = ZOO[name]
    model = family.build()
    torch.manual_seed(1)
    inputs = family.inputs()
    with torch.no_grad():
        expected = main_output(family, model(**inputs))
    try:
        got = main_output(family, jit(model, strict=True)(**inputs))
    except UnsupportedOpsError as error:
        return "unsupported: " + ", ".join(sorted(_unsupported_ops(str(error))))
    except LithoError as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
    if expected.abs().max() < MEANINGFUL_SCALE:
        return f"vacuous: eager's output is at most {expected.abs().max().item():.1e}"
    try:
        torch.testing.assert_close(got, expected, **TOLERANCE)
    except AssertionError as error:
        return "mismatch: " + " ".join(str(error).split("\n")[1:3])
    return "matches"


def _unsupported_ops(message: str) -> set[str]:
    listed = [line.split()[1] for line in message.splitlines() if line.startswith("  - ")]
    return {name.removesuffix(".default") for name in listed}


def returns_a_cache() -> list[str]:
    """The families whose default config makes the model return a KV cache too."""
    return [
        name
        for name, family in ZOO.items()
        if family.decoder and getattr(family.make_config(), "use_cache", False)
    ]


def main(names: list[str]) -> None:
    outcomes = {}
    for name in names or list(ZOO):
        start = time.perf_counter()
        status = run_family(name)
        outcomes[name] = Outcome(status, time.perf_counter() - start)
        print(f"{name:<16} {outcomes[name].seconds:6.1f} s  {status}", flush=True)
    matched = sum(outcome.status == "matches" for outcome in outcomes.values())
    total = sum(outcome.seconds for outcome in outcomes.values())
    print(f"{matched} of {len(outcomes)} families match eager; {total:.0f} s in all")
    print("these return their KV cache too (use_cache=True):", ", ".join(returns_a_cache()))


if __name__ == "__main__":
    main(sys.argv[1:])
