"""The native calling convention, as data: what a compiled entry point takes and returns.

Every entry point litho generates, on any target, is

    void entry(inputs..., outputs..., i8* arena, i64* errors)

with each tensor a pointer to contiguous row-major data. `NativeSignature` says the
shapes and element types of the inputs and outputs, the arena's bytes, and what each
error site reports. The compiler derives it once from the L3 function (compiler/targets.py)
and both the runtime and the interpreter read it, so no module guesses the convention.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class TensorSpec:
    """The shape and dtype of a tensor argument."""

    shape: tuple[int, ...]
    dtype: torch.dtype

    @staticmethod
    def of(tensor: torch.Tensor) -> TensorSpec:
        return TensorSpec(tuple(tensor.shape), tensor.dtype)

    def describes(self, tensor: torch.Tensor) -> bool:
        """Whether `tensor` is a CPU tensor of this shape and dtype."""
        return (
            tensor.dtype == self.dtype
            and tensor.shape == self.shape
            and tensor.device.type == "cpu"
        )


@dataclass(frozen=True)
class NativeSignature:
    """An entry point's name, tensor arguments, arena size and error reports.

    A failed run-time check leaves its site `s` and the value it saw in the error slots;
    `error_reports[s - 1](value)` is the exception the call raises.
    """

    entry: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    arena_bytes: int
    error_reports: tuple[Callable[[int], Exception], ...] = ()

    @property
    def argument_count(self) -> int:
        """Pointers the entry takes: inputs, outputs, the arena and the error slots."""
        return len(self.inputs) + len(self.outputs) + 2
