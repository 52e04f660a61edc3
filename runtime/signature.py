"""The native calling convention, as data: what a compiled entry point takes and returns.

Every entry point litho generates, on any target, is

    void entry(inputs..., outputs..., i8* arena, i64* errors)

with each tensor a pointer to contiguous row-major data. `NativeSignature` says the
shapes and element types of the inputs and outputs, which inputs are weights (by name:
the caller passes a derived weight, such as a transposed matrix, that it computes from
the model's), the arena's bytes, and what each error site reports. The compiler derives
it once from the L3 function (compiler/entry.py); the runtime calls through it and the
interpreter allocates outputs from it. It holds no torch objects, so the interpreter
(and a disk cache) can read it without torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TensorSpec:
    """The shape and element type of a tensor argument.

    `dtype` is the name numpy and torch both give the element type: "float32",
    "float64", "int32", "int64", "bool".
    """

    shape: tuple[int, ...]
    dtype: str

    @staticmethod
    def of(tensor: Any) -> TensorSpec:
        """The spec of a torch tensor or a numpy array."""
        return TensorSpec(tuple(tensor.shape), str(tensor.dtype).removeprefix("torch."))


@dataclass(frozen=True)
class NativeSignature:
    """An entry point's name, tensor arguments, arena size and error reports.

    `parameters[i]` names the weight input `i` is (lowering/common/parameters.py), or
    is None for a tensor the caller passes as the graph has it. A failed run-time check
    leaves its site `s` and the value it saw in the error slots;
    `error_reports[s - 1](value)` is the exception the call raises.
    """

    entry: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    arena_bytes: int
    parameters: tuple[str | None, ...]
    error_reports: tuple[Callable[[int], Exception], ...] = ()

    @property
    def argument_count(self) -> int:
        """Pointers the entry takes: inputs, outputs, the arena and the error slots."""
        return len(self.inputs) + len(self.outputs) + 2
