"""The decomposition table litho captures with: torch's core-ATen table plus litho's own.

Both `jit` (torch.export + run_decompositions) and the `torch.compile` backend (AOT
autograd) trace with this table, so they hand litho the same ops.

- Layer norm, softmax, GELU, linear, SiLU and hardtanh are split into their
  elementwise and reduction parts, which litho fuses better than opaque kernels.
- transformers' `grouped_mm_fallback` (mixture of experts) becomes a gather and a batched
  matmul (`grouped_mm`).
- Scaled dot-product attention becomes matmuls, a mask and a softmax whose rows masked
  whole are 0, as eager's are (a plain softmax makes them NaN). torch's own
  decomposition of it leaves strides that break the `view` after it in GPT-2 (torch
  2.13 fails with "Cannot view a tensor ..."); this one returns the layout eager's CPU
  kernel returns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
from torch._decomp import get_decompositions

aten = torch.ops.aten

EXTRA_DECOMPOSITIONS = [
    aten.native_layer_norm,
    aten._softmax,
    aten._log_softmax,
    aten.gelu,
    aten.linear,
    aten.silu,
    aten.hardtanh,
]


def attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> torch.Tensor:
    """`aten.scaled_dot_product_attention` in matmuls, masking and softmax (inference)."""
    if enable_gqa and key.size(-3) != query.size(-3):
        repeats = query.size(-3) // key.size(-3)
        key = key.repeat_interleave(repeats, -3)
        value = value.repeat_interleave(repeats, -3)
    scale = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = (query * scale) @ key.transpose(-2, -1)
    if is_causal:
        allowed = torch.ones(query.size(-2), key.size(-2), dtype=torch.bool).tril()
        scores = torch.where(allowed, scores, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = torch.where(attn_mask, scores, float("-inf"))
        else:
            scores = scores + attn_mask
    maxima = scores.amax(-1, keepdim=True)
    weights = (scores - maxima).exp()
    probabilities = weights / weights.sum(-1, keepdim=True)
    # eager's attention (its _safe_softmax) gives 0, not NaN, for a row it masks whole
    probabilities = torch.where(maxima == float("-inf"), 0.0, probabilities)
    output = probabilities @ value
    return output.transpose(-3, -2).contiguous().transpose(-3, -2)


def grouped_mm(input: torch.Tensor, weight: torch.Tensor, offs: torch.Tensor) -> torch.Tensor:
    """transformers' `grouped_mm_fallback` (its mixture-of-experts layers): row `s` of
    `input` times the weight of the group it falls in, the groups being consecutive runs
    of rows that end at `offs`; rows past the last group are zero.

    The model's own op loops over `offs.tolist()`, which cannot be traced; this picks each
    row's weight with a gather and multiplies the rows in one batched matmul.
    """
    rows = torch.arange(input.size(0), device=input.device)
    group = (offs.unsqueeze(0) <= rows.unsqueeze(1)).sum(1)
    inside = group < weight.size(0)
    group = group.clamp(max=weight.size(0) - 1)
    product = torch.bmm(input.unsqueeze(1), weight[group]).squeeze(1)
    return torch.where(inside.unsqueeze(1), product, torch.zeros_like(product))


# custom ops of model libraries, by namespace and name: found once the library is loaded
LIBRARY_DECOMPOSITIONS = {("transformers", "grouped_mm_fallback"): grouped_mm}


def litho_decompositions() -> dict[object, Callable]:
    """The table to trace models with, for `run_decompositions` or AOT autograd."""
    table = dict(_table())
    for (namespace, name), decomposition in LIBRARY_DECOMPOSITIONS.items():
        packet = getattr(getattr(torch.ops, namespace), name, None)
        if packet is not None:
            table[packet.default] = decomposition
    return table


@functools.cache
def _table() -> dict[object, Callable]:
    """Built once: materializing torch's default table takes 0.1 s per call."""
    table = dict(torch.export.default_decompositions().items())
    table.update(get_decompositions(EXTRA_DECOMPOSITIONS))
    table[aten.scaled_dot_product_attention.default] = attention
    return table
