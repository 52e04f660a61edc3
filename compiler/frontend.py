"""Capture (L0): a torch model and example inputs to a core-ATen graph, then L1 import.

Capture uses `torch.export` and `run_decompositions` with litho's table
(compiler/decompositions.py): core ATen, with layer norm, softmax, GELU and attention
split into their elementwise, reduction and matmul parts. Parameters, buffers and
lifted constants become arguments of the imported function ahead of the user inputs, in
the graph's order.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import litho.compiler.aten_cnn_importers  # noqa: F401  (these fill the importer registry)
import litho.compiler.aten_data_importers  # noqa: F401
import litho.compiler.aten_importers  # noqa: F401
import torch
import torch.utils._pytree as pytree
from litho.compiler.decompositions import litho_decompositions
from litho.compiler.errors import CaptureError, LithoError
from litho.compiler.importer import import_graph
from torch.export import ExportedProgram
from torch.export.graph_signature import InputKind
from xdsl.dialects.builtin import ModuleOp

# torch 2.13's own export code trips its LeafSpec deprecation; users cannot act on it
TREESPEC_WARNING = re.escape("`isinstance(treespec, LeafSpec)`")


@dataclass(frozen=True)
class CapturedModel:
    """A model's graph imported to L1, and where each function argument comes from.

    `arguments[i]` is either a tensor the model owns (parameter, buffer, constant) or the
    position of a user input; `output_spec` rebuilds the model's output structure.
    """

    module: ModuleOp
    arguments: tuple[torch.Tensor | int, ...]
    input_count: int
    output_spec: pytree.TreeSpec


def capture(model: torch.nn.Module, inputs: Sequence[torch.Tensor]) -> ExportedProgram:
    """The core-ATen ExportedProgram of `model` on example `inputs`."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", TREESPEC_WARNING, FutureWarning)
        try:
            program = torch.export.export(model, tuple(inputs))
        except Exception as error:
            raise CaptureError(
                f"torch.export could not capture {type(model).__name__}: {error}"
            ) from error
        return program.run_decompositions(litho_decompositions())


def argument_sources(program: ExportedProgram) -> list[torch.Tensor | int]:
    """For each graph input: the tensor the model owns, or the index of the user input."""
    sources: list[torch.Tensor | int] = []
    user_index = 0
    for spec in program.graph_signature.input_specs:
        if spec.kind == InputKind.USER_INPUT:
            sources.append(user_index)
            user_index += 1
        elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER):
            owned = program.state_dict.get(spec.target)
            if owned is None:
                owned = program.constants[spec.target]
            sources.append(owned.detach())
        elif spec.kind == InputKind.CONSTANT_TENSOR:
            sources.append(program.constants[spec.target].detach())
        else:
            raise LithoError(f"input {spec.arg.name} of kind {spec.kind.name} is not supported")
    return sources


def import_model(model: torch.nn.Module, inputs: Sequence[torch.Tensor]) -> CapturedModel:
    """Capture `model` on `inputs` and import it to a `litho_tensor` module."""
    program = capture(model, inputs)
    function = import_graph(program.graph_module.graph)
    sources = argument_sources(program)
    return CapturedModel(
        ModuleOp([function]),
        tuple(sources),
        input_count=sum(isinstance(source, int) for source in sources),
        output_spec=program.call_spec.out_spec,
    )
