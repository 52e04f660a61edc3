"""Capture (L0): a torch model and example inputs to a core-ATen graph, then L1 import.

Capture uses `torch.export` and `run_decompositions` with litho's table
(compiler/frontend/decompositions.py): core ATen, with layer norm, softmax, GELU and attention
split into their elementwise, reduction and matmul parts.

A `CapturedProgram` says where each graph input comes from at every call (a user input,
a parameter or buffer read from the model by name, or a constant), which graph outputs
are in-place updates of buffers or inputs, and how the user's outputs are structured.
Non-tensor user inputs (flags, sizes) are specialized: they become constants of the graph.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import litho.compiler.frontend.aten  # noqa: F401  (its modules fill the importer registry)
import torch
import torch.fx
import torch.utils._pytree as pytree
from litho.compiler.errors import CaptureError, LithoError, UnsupportedOpsError
from litho.compiler.frontend.decompositions import litho_decompositions
from litho.compiler.frontend.importer import WEIGHT_META, import_graph
from litho.compiler.frontend.support import unsupported_message, unsupported_reasons
from torch.export import ExportedProgram
from torch.export.graph_signature import InputKind, OutputKind
from xdsl.dialects.builtin import ModuleOp

# torch 2.13's own export code trips its LeafSpec deprecation; users cannot act on it
TREESPEC_WARNING = re.escape("`isinstance(treespec, LeafSpec)`")

# torch.export patches torch's global state while it traces: one capture at a time
_CAPTURE_LOCK = threading.Lock()


@dataclass(frozen=True)
class UserInput:
    """The tensor at `position` among the leaves of a call's flattened (args, kwargs)."""

    position: int

    def read(self, model: torch.nn.Module, leaves: Sequence[Any]) -> Any:
        return leaves[self.position]


class ModuleRegistrations:
    """How many times a submodule was set on any module in this process (counted by
    nn.Module's global registration hook, which attribute assignment and `add_module`
    call): what litho caches about a model's module tree holds while it is unchanged."""

    count = 0

    @classmethod
    def seen(cls, module: torch.nn.Module, name: str, submodule: object) -> None:
        cls.count += 1


torch.nn.modules.module.register_module_module_registration_hook(ModuleRegistrations.seen)


@dataclass(frozen=True)
class ModelState:
    """A parameter or buffer of the model, read by its qualified name at every call (from
    the module that owns it, found again after a submodule was set anywhere)."""

    name: str
    _owner: list[Any] = field(default_factory=lambda: [None, -1, None], compare=False,
                              repr=False)
    """[model, ModuleRegistrations.count, owner] of the last lookup."""

    @functools.cached_property
    def path(self) -> tuple[list[str], str]:
        *owners, attribute = self.name.split(".")
        return owners, attribute

    def owner(self, model: torch.nn.Module) -> Any:
        # nn.Module's own lookups (get_submodule, __getattr__) cost microseconds each,
        # hundreds of times per call of a transformer: walk its dicts, once
        cached_model, count, owner = self._owner
        if cached_model is model and count == ModuleRegistrations.count:
            return owner
        owner = model
        for name in self.path[0]:
            owner = owner._modules.get(name) if isinstance(owner, torch.nn.Module) else None
        self._owner[:] = [model, ModuleRegistrations.count, owner]
        return owner

    def read(self, model: torch.nn.Module, leaves: Sequence[Any]) -> Any:
        attribute = self.path[1]
        owner = self.owner(model)
        if isinstance(owner, torch.nn.Module):
            for table in (owner._parameters, owner._buffers):
                value = table.get(attribute)
                if value is not None:
                    return value
            if isinstance(getattr(owner, attribute, None), torch.Tensor):
                return getattr(owner, attribute)
        raise LithoError(
            f"{type(model).__name__} no longer has the parameter or buffer {self.name!r} "
            "it was compiled with; call jit(model) again after changing its structure"
        )


@dataclass(frozen=True)
class Constant:
    """A tensor constant the graph was captured with (lifted from the model's code)."""

    tensor: torch.Tensor = field(repr=False)

    def read(self, model: torch.nn.Module, leaves: Sequence[Any]) -> Any:
        return self.tensor


Source = UserInput | ModelState | Constant


@dataclass(frozen=True)
class CapturedProgram:
    """A model's core-ATen graph and how its inputs and outputs meet the caller.

    `sources[i]` gives the value of the graph's i-th placeholder. The graph's first
    outputs are the new values of `mutated` (buffers or user inputs updated in place, in
    order; None for an effect token), the rest are the leaves of the user's output,
    rebuilt with `output_tree`. `reasons` names each node litho cannot compile (those run
    in torch eager), found once, at capture.
    """

    graph_module: torch.fx.GraphModule
    sources: tuple[Source, ...]
    mutated: tuple[Source | None, ...]
    output_tree: pytree.TreeSpec
    reasons: dict[torch.fx.Node, str]

    def weights(self, model: torch.nn.Module, leaves: Sequence[Any]) -> dict[str, Any]:
        """The values of the graph's weights by name, as numpy arrays (the parameter
        store's), read from `model` now."""
        placeholders = [node for node in self.graph_module.graph.nodes if node.op == "placeholder"]
        return {
            node.meta[WEIGHT_META]: source.read(model, leaves).detach().numpy()
            for node, source in zip(placeholders, self.sources, strict=True)
            if WEIGHT_META in node.meta
        }


def capture(
    model: torch.nn.Module, args: Sequence[Any], kwargs: dict[str, Any] | None = None
) -> CapturedProgram:
    """The core-ATen program of `model` on example `args` and `kwargs`."""
    register_model_types(model)
    with _CAPTURE_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", TREESPEC_WARNING, FutureWarning)
        try:
            program = torch.export.export(_traced_copy(model), tuple(args), kwargs or {})
        except Exception as error:
            raise CaptureError(
                f"torch.export could not capture {model_name(model)}: {error}"
            ) from error
        try:
            program = program.run_decompositions(litho_decompositions())
        except Exception as error:
            raise CaptureError(
                f"torch.export captured {model_name(model)} but could not decompose it to "
                f"core ATen: {error}"
            ) from error
    sources = _sources(program)
    return CapturedProgram(
        program.graph_module,
        sources,
        _mutated(program),
        program.call_spec.out_spec,
        unsupported_reasons(program.graph_module.graph),
    )


def _traced_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of `model`'s modules sharing its tensors, for torch.export to trace.

    torch.export patches the module it traces while it runs: another thread calling the
    model then would be traced too (and break the capture). The copy keeps them apart.
    """
    shared = {id(tensor): tensor for tensor in (*model.parameters(), *model.buffers())}
    try:
        return copy.deepcopy(model, shared)
    except Exception:  # a module holding something that cannot be copied: trace it as is
        return model


def register_model_types(model: torch.nn.Module) -> None:
    """Teach torch's pytree the container types a model takes and returns.

    transformers models return (and take back) KV-cache objects; transformers says how to
    flatten them for torch.export. Nothing is imported for other models.
    """
    if "transformers" not in sys.modules:
        return
    from transformers import PreTrainedModel

    if isinstance(model, PreTrainedModel):
        from transformers.exporters.exporter_dynamo import register_cache_pytrees_for_model

        register_cache_pytrees_for_model(model)


def model_name(model: torch.nn.Module) -> str:
    """How messages name a model: its class, or the function `jit` was given."""
    return getattr(model, "function_name", None) or type(model).__name__


def _sources(program: ExportedProgram) -> tuple[Source, ...]:
    """Where each graph input comes from; non-tensor user inputs become graph constants.

    The placeholders of weights (parameters, buffers the graph does not update, and
    constants) get their name in `meta[WEIGHT_META]`: the importer marks them."""
    sources: list[Source] = []
    placeholders = [node for node in program.graph.nodes if node.op == "placeholder"]
    updated = {
        spec.target
        for spec in program.graph_signature.output_specs
        if spec.kind in (OutputKind.BUFFER_MUTATION, OutputKind.PARAMETER_MUTATION)
    }
    user_position = 0
    for spec, node in zip(program.graph_signature.input_specs, placeholders, strict=True):
        if spec.kind == InputKind.USER_INPUT:
            value = node.meta.get("val")
            if isinstance(value, torch.Tensor):
                sources.append(UserInput(user_position))
            else:
                _specialize(program.graph_module.graph, node, spec.arg.value)
            user_position += 1
        elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER):
            sources.append(ModelState(spec.target))
            if spec.target not in updated:
                node.meta[WEIGHT_META] = spec.target
        elif spec.kind == InputKind.CONSTANT_TENSOR:
            sources.append(Constant(program.constants[spec.target].detach()))
            node.meta[WEIGHT_META] = spec.target
        elif spec.kind == InputKind.TOKEN:  # orders effectful ops, which run in eager
            sources.append(Constant(torch.empty(0)))
        else:
            raise LithoError(f"input {spec.arg.name} of kind {spec.kind.name} is not supported")
    program.graph_module.recompile()
    return tuple(sources)


def _specialize(graph: torch.fx.Graph, placeholder: torch.fx.Node, value: Any) -> None:
    """Replace a non-tensor input by the value it had at capture (the call's signature)."""
    placeholder.replace_all_uses_with(value)  # type: ignore[arg-type]
    graph.erase_node(placeholder)


def _mutated(program: ExportedProgram) -> tuple[Source | None, ...]:
    """The buffers and user inputs the graph's leading outputs update, in order (None
    for an effect token, which is dropped)."""
    user_inputs = [
        spec.arg.name
        for spec in program.graph_signature.input_specs
        if spec.kind == InputKind.USER_INPUT
    ]
    mutated: list[Source | None] = []
    for spec in program.graph_signature.output_specs:
        if spec.kind in (OutputKind.BUFFER_MUTATION, OutputKind.PARAMETER_MUTATION):
            mutated.append(ModelState(spec.target))
        elif spec.kind == OutputKind.USER_INPUT_MUTATION:
            mutated.append(UserInput(user_inputs.index(spec.target)))
        elif spec.kind == OutputKind.TOKEN:
            mutated.append(None)
        elif spec.kind != OutputKind.USER_OUTPUT:
            raise LithoError(f"output {spec.arg} of kind {spec.kind.name} is not supported")
    return tuple(mutated)


def import_model(
    model: torch.nn.Module, args: Sequence[Any], kwargs: dict[str, Any] | None = None
) -> tuple[ModuleOp, list[torch.Tensor]]:
    """`model` captured on `args` and imported to L1, with the function's arguments."""
    captured = capture(model, args, kwargs)
    if captured.reasons:
        raise UnsupportedOpsError(unsupported_message(captured.reasons))
    leaves = pytree.tree_leaves((tuple(args), kwargs or {}))
    module = ModuleOp([import_graph(captured.graph_module.graph)])
    return module, [source.read(model, leaves) for source in captured.sources]
