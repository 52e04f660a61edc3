"""A compiled specialization: native code for one input signature, behind its guards.

Python checks every input (type, device, dtype, shape) before the native call, so a bad
input is a LithoError, never a crash. Non-contiguous inputs are copied to contiguous
ones first. Each native call allocates its outputs and intermediate arena with torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


class NativeFunction:
    """Calls one native entry point `void name(inputs..., outputs..., arena)`.

    Takes and returns flat lists of tensors. The inputs' shapes and dtypes are checked,
    because the native code trusts them; non-contiguous inputs are copied first.
    """

    def __init__(
        self,
        engine: JitEngine,
        name: str,
        input_specs: Sequence[TensorSpec],
        output_specs: Sequence[TensorSpec],
        arena_bytes: int,
    ):
        self.engine = engine
        self.name = name
        self.input_specs = tuple(input_specs)
        self.output_specs = tuple(output_specs)
        self.arena_bytes = arena_bytes
        argument_count = len(input_specs) + len(output_specs) + 1
        self.native = engine.function(name, argument_count)

    def __call__(self, inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        for index, (value, spec) in enumerate(zip(inputs, self.input_specs, strict=True)):
            if TensorSpec.of(value) != spec:
                raise InputMismatchError(
                    f"{self.name} argument {index}: expected {spec.dtype} of shape "
                    f"{list(spec.shape)}, got {value.dtype} of shape {list(value.shape)}"
                )
        buffers = [value.contiguous() for value in inputs]
        outputs = [torch.empty(spec.shape, dtype=spec.dtype) for spec in self.output_specs]
        arena = torch.empty(max(self.arena_bytes, 1), dtype=torch.uint8)
        self.native(*(tensor.data_ptr() for tensor in (*buffers, *outputs, arena)))
        return outputs


Runner = Callable[[Sequence[torch.Tensor]], Sequence[torch.Tensor]]


class CompiledFunction:
    """One specialization of a model: its guards, its weights, and what runs it.

    `run` takes the flat graph inputs (the model's own tensors, then the user's inputs,
    in `arguments` order) and returns the flat outputs: a `NativeFunction`, or a graph
    that mixes native functions with ops in torch eager (op-level fallback).
    """

    def __init__(
        self,
        run: Runner,
        arguments: Sequence[torch.Tensor | int],
        input_specs: Sequence[TensorSpec],
        output_tree: pytree.TreeSpec,
    ):
        self.run = run
        self.arguments = [
            argument.contiguous() if isinstance(argument, torch.Tensor) else argument
            for argument in arguments
        ]
        self.input_specs = tuple(input_specs)
        self.output_tree = output_tree

    def check_inputs(self, inputs: Sequence[object]) -> list[torch.Tensor]:
        """The inputs, or InputMismatchError naming the first bad one."""
        if len(inputs) != len(self.input_specs):
            raise InputMismatchError(
                f"expected {len(self.input_specs)} input(s), got {len(inputs)}"
            )
        for index, (value, spec) in enumerate(zip(inputs, self.input_specs, strict=True)):
            check_tensor(index, value)
            if TensorSpec.of(value) != spec:
                raise InputMismatchError(
                    f"input {index}: expected {spec.dtype} of shape {list(spec.shape)}, "
                    f"got {value.dtype} of shape {list(value.shape)}"
                )
        return list(inputs)

    def __call__(self, *inputs: torch.Tensor) -> object:
        checked = self.check_inputs(inputs)
        flat = [
            argument if isinstance(argument, torch.Tensor) else checked[argument]
            for argument in self.arguments
        ]
        return pytree.tree_unflatten(list(self.run(flat)), self.output_tree)


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
