"""A compiled specialization: native code for one input signature, behind its guard.

A call is checked once: `CompiledFunction` reads every graph input (the user's tensors,
the model's parameters and buffers, read at every call) and checks it against the spec
the code was compiled for, before the native call, so a bad input is a LithoError, never
a crash. `NativeFunction` trusts what it is given. Non-contiguous inputs are copied to
contiguous ones first. Each native call allocates its outputs with torch; intermediates
live in an arena that each calling thread allocates on its first call and then reuses
(fresh memory would fault its pages in on every call), so calls stay thread-safe.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import torch
import torch.utils._pytree as pytree
from litho.compiler.errors import InputMismatchError
from litho.runtime.engine import JitEngine
from litho.runtime.signature import NativeSignature, TensorSpec


class NativeFunction:
    """Calls one native entry point, as its `NativeSignature` describes it.

    Takes and returns flat lists of tensors. The caller guarantees the inputs' shapes
    and dtypes (the specialization's guard checked them, or Dynamo's did); non-contiguous
    inputs are copied first. A run-time check that failed in the native code left its
    site and value in the error slots: the signature's report for that site is raised,
    and no output returned.
    """

    def __init__(self, engine: JitEngine, signature: NativeSignature):
        self.engine = engine
        self.signature = signature
        self.name = signature.entry
        self.native = engine.function(signature.entry, signature.argument_count)
        self.outputs = [(spec.shape, getattr(torch, spec.dtype)) for spec in signature.outputs]
        self._threads = threading.local()

    def scratch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """This thread's arena (made on its first call, then reused: fresh memory would
        fault in its pages on every call) and zeroed error slots."""
        local = self._threads
        if not hasattr(local, "arena"):
            local.arena = torch.empty(max(self.signature.arena_bytes, 1), dtype=torch.uint8)
            local.errors = torch.zeros(2, dtype=torch.int64)
        local.errors.zero_()
        return local.arena, local.errors

    def __call__(self, inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        signature = self.signature
        buffers = [value.contiguous() for value in inputs]
        outputs = [torch.empty(shape, dtype=dtype) for shape, dtype in self.outputs]
        arena, errors = self.scratch()
        self.native(*(tensor.data_ptr() for tensor in (*buffers, *outputs, arena, errors)))
        site, value = errors.tolist()
        if site:
            raise signature.error_reports[site - 1](value)
        return outputs


Runner = Callable[[Sequence[torch.Tensor]], Sequence[object]]


class Source(Protocol):
    """Where a graph input comes from at a call: a user input, the model's state, a constant."""

    def read(self, model: torch.nn.Module, leaves: Sequence[object]) -> object: ...


class CompiledFunction:
    """One specialization of a model: what runs it, where its inputs come from, its guards.

    `run` takes the graph's inputs (`sources`, read at every call, so a parameter or
    buffer the user replaced is seen) and returns the graph's outputs: first the new
    values of `mutated` (copied into them, as eager's in-place ops would have), then the
    leaves of the user's output, rebuilt with `output_tree`.
    """

    def __init__(
        self,
        run: Runner,
        sources: Sequence[Source],
        input_specs: Sequence[TensorSpec],
        mutated: Sequence[Source | None],
        output_tree: pytree.TreeSpec,
    ):
        self.run = run
        self.guards = [
            (source, spec.shape, getattr(torch, spec.dtype))
            for source, spec in zip(sources, input_specs, strict=True)
        ]
        self.mutated = tuple(mutated)
        self.output_tree = output_tree
        # calls that update buffers read and write them: one at a time, as eager's
        # in-place ops are; calls without updates run concurrently
        self.update_lock = threading.Lock() if self.mutated else contextlib.nullcontext()

    def graph_inputs(self, model: torch.nn.Module, leaves: Sequence[object]) -> list[torch.Tensor]:
        """The graph's inputs for this call, each checked against the spec the code was
        compiled for: the call's one guard check. A `GuardFailure` names the first that
        no longer fits (a parameter or buffer replaced by one of another shape, dtype
        or device)."""
        inputs = []
        for index, (source, shape, dtype) in enumerate(self.guards):
            value = source.read(model, leaves)
            if not (
                isinstance(value, torch.Tensor)
                and value.dtype == dtype
                and value.shape == shape
                and value.is_cpu  # device.type builds a device object: 0.3 us an input
            ):
                raise GuardFailure(
                    f"graph input {index} ({source}): expected a CPU tensor of "
                    f"{dtype} and shape {list(shape)}, got {_summary(value)}"
                )
            inputs.append(value)
        return inputs

    def fits(self, model: torch.nn.Module, leaves: Sequence[object]) -> bool:
        """Whether this call's graph inputs pass the guard."""
        try:
            self.graph_inputs(model, leaves)
        except GuardFailure:
            return False
        return True

    def __call__(self, model: torch.nn.Module, leaves: Sequence[object]) -> object:
        """Run the code on this call: `GuardFailure` (before anything runs) if an input
        no longer fits it."""
        inputs = self.graph_inputs(model, leaves)
        with torch.no_grad(), self.update_lock:
            outputs = list(self.run(inputs))
            updates = len(self.mutated)
            for source, value in zip(self.mutated, outputs[:updates], strict=True):
                if source is not None:
                    source.read(model, leaves).copy_(value)
        return pytree.tree_unflatten(outputs[updates:], self.output_tree)


class GuardFailure(InputMismatchError):
    """A graph input does not fit the specialization's code; raised before it runs."""


def _summary(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.device.type} tensor of {value.dtype} and shape {list(value.shape)}"
    return f"a {type(value).__name__}"


def check_tensor(where: str, value: object) -> None:
    """InputMismatchError unless `value` (the input `where` names) is a CPU tensor."""
    if not isinstance(value, torch.Tensor):
        raise InputMismatchError(f"{where}: expected a torch.Tensor, got {type(value).__name__}")
    if value.device.type != "cpu":
        raise InputMismatchError(
            f"{where}: tensor is on {value.device}, but this function was compiled "
            "for the CPU; move it with .cpu() or compile with another target"
        )
