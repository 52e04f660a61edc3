"""A compiled specialization: native code for one input signature, behind its guards.

Python checks every input (type, device, dtype, shape) before the native call, so a bad
input is a LithoError, never a crash. Non-contiguous inputs are copied to contiguous
ones first. Each call allocates the outputs and the intermediate arena with torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.utils._pytree as pytree
from litho.compiler.errors import InputMismatchError
from litho.runtime.engine import JitEngine


@dataclass(frozen=True)
class TensorSpec:
    """The shape and dtype a buffer argument of the native function has."""

    shape: tuple[int, ...]
    dtype: torch.dtype

    @staticmethod
    def of(tensor: torch.Tensor) -> TensorSpec:
        return TensorSpec(tuple(tensor.shape), tensor.dtype)


class CompiledFunction:
    """Calls the native entry point `void name(inputs..., outputs..., arena)`."""

    def __init__(
        self,
        engine: JitEngine,
        name: str,
        arguments: Sequence[torch.Tensor | int],
        input_specs: Sequence[TensorSpec],
        output_specs: Sequence[TensorSpec],
        arena_bytes: int,
        output_tree: pytree.TreeSpec,
    ):
        self.engine = engine
        self.arguments = [
            argument.contiguous() if isinstance(argument, torch.Tensor) else argument
            for argument in arguments
        ]
        self.input_specs = tuple(input_specs)
        self.output_specs = tuple(output_specs)
        self.arena_bytes = arena_bytes
        self.output_tree = output_tree
        argument_count = len(arguments) + len(output_specs) + 1
        self.native = engine.function(name, argument_count)

    def check_inputs(self, inputs: Sequence[object]) -> list[torch.Tensor]:
        """The inputs, made contiguous, or InputMismatchError naming the first bad one."""
        if len(inputs) != len(self.input_specs):
            raise InputMismatchError(
                f"expected {len(self.input_specs)} input(s), got {len(inputs)}"
            )
        checked = []
        for index, (value, spec) in enumerate(zip(inputs, self.input_specs, strict=True)):
            check_tensor(index, value)
            if TensorSpec.of(value) != spec:
                raise InputMismatchError(
                    f"input {index}: expected {spec.dtype} of shape {list(spec.shape)}, "
                    f"got {value.dtype} of shape {list(value.shape)}"
                )
            checked.append(value.contiguous())
        return checked

    def __call__(self, *inputs: torch.Tensor) -> object:
        checked = self.check_inputs(inputs)
        buffers = [
            argument if isinstance(argument, torch.Tensor) else checked[argument]
            for argument in self.arguments
        ]
        outputs = [torch.empty(spec.shape, dtype=spec.dtype) for spec in self.output_specs]
        arena = torch.empty(max(self.arena_bytes, 1), dtype=torch.uint8)
        pointers = [tensor.data_ptr() for tensor in (*buffers, *outputs, arena)]
        self.native(*pointers)
        return pytree.tree_unflatten(outputs, self.output_tree)


def check_tensor(index: int, value: object) -> None:
    """InputMismatchError unless input `index` is a CPU tensor litho can read."""
    if not isinstance(value, torch.Tensor):
        raise InputMismatchError(
            f"input {index}: expected a torch.Tensor, got {type(value).__name__}"
        )
    if value.device.type != "cpu":
        raise InputMismatchError(
            f"input {index}: tensor is on {value.device}, but this function was compiled "
            "for the CPU; move it with .cpu() or compile with another target"
        )
