"""Compiling a core-ATen fx graph to something that runs it: native code, or native code
with the ops litho cannot compile left to torch eager (op-level fallback).

Both `jit` (after torch.export) and the `torch.compile` backend (after AOT autograd)
end here. A graph that litho compiles whole becomes one native function. Otherwise
torch's capability-based partitioner groups the compilable nodes into subgraphs; each
subgraph becomes a native function, and the ops between them run in torch eager
inside one fx GraphModule.
"""

from __future__ import annotations

import operator
import time
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.fx
from litho.compiler.entry import native_signature
from litho.compiler.errors import (
    FallbackWarning,
    LithoError,
    UnsupportedOpsError,
    warn_at_user_code,
)
from litho.compiler.frontend.capture import TREESPEC_WARNING
from litho.compiler.frontend.importer import (
    WEIGHT_META,
    describe,
    graph_outputs,
    import_graph,
    is_empty,
)
from litho.compiler.frontend.support import (
    reported_nodes,
    unsupported_message,
)
from litho.compiler.options import Options
from litho.compiler.pipeline import CompileReport, StageRunner
from litho.compiler.targets import TARGETS
from litho.lowering.common.parameters import ParameterStore
from litho.runtime.compiled import NativeFunction, Runner
from litho.runtime.signature import TensorSpec
from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner
from torch.fx.passes.operator_support import OperatorSupportBase
from xdsl.dialects.builtin import ModuleOp


def compile_native(
    graph: torch.fx.Graph,
    options: Options,
    report: CompileReport,
    store: ParameterStore,
    name: str = "forward",
    dump_name: str = "forward",
) -> NativeGraph:
    """Compile every node of `graph` through all levels to one native function.

    `store` holds the values of the graph's weights (placeholders with
    `meta[WEIGHT_META]`); `dump_name` names its IR dumps.
    """
    start = time.perf_counter()
    module = ModuleOp([import_graph(graph, name)])
    report.stage_times["import"] = report.stage_times.get("import", 0) + (
        time.perf_counter() - start
    )
    target = TARGETS[options.code.target]
    runner = StageRunner(options.debug, report, dump_name)
    tune = target.tune if options.code.autotune else None
    store = runner.run(module, target.stages(options.code), store, tune)
    codegen_start = time.perf_counter()
    native = target.build(module, native_signature(module), runner.dump)
    report.stage_times["codegen"] = report.stage_times.get("codegen", 0) + (
        time.perf_counter() - codegen_start
    )
    return NativeGraph(native, graph, store)


class NativeGraph:
    """A graph compiled to one native function, called like the graph: with all its
    inputs, returning all its outputs. Tensors with zero elements are not passed to the
    native code (empty outputs are made here) and constant outputs are returned as they are.
    A weight that passes derived from the graph's (`store`) is computed from them.
    """

    def __init__(self, native: NativeFunction, graph: torch.fx.Graph, store: ParameterStore):
        self.native = native
        placeholders = [node for node in graph.nodes if node.op == "placeholder"]
        passed = [i for i, node in enumerate(placeholders) if not is_empty(node)]
        weights = {
            placeholders[i].meta[WEIGHT_META]: i
            for i in passed
            if WEIGHT_META in placeholders[i].meta
        }
        others = iter(i for i in passed if WEIGHT_META not in placeholders[i].meta)
        signature = native.signature
        self.feeds = [
            operator.itemgetter(next(others)) if name is None
            else operator.itemgetter(weights[name]) if name in weights
            else DerivedWeight(name, spec, store, weights)
            for name, spec in zip(signature.parameters, signature.inputs, strict=True)
        ]
        self.outputs = graph_outputs(graph)

    def __call__(self, inputs: Sequence[torch.Tensor]) -> list[object]:
        results = iter(self.native([feed(inputs) for feed in self.feeds]))
        return [self._output(leaf, results) for leaf in self.outputs]

    @staticmethod
    def _output(leaf: object, results: Iterator[torch.Tensor]) -> object:
        if not isinstance(leaf, torch.fx.Node):
            return leaf
        if is_empty(leaf):
            value = leaf.meta["val"]
            return torch.empty(value.shape, dtype=value.dtype)
        return next(results)


class DerivedWeight:
    """A weight the code takes that passes derived from the graph's weights (the
    transpose of a Linear's, under `freeze_weights`): computed at the first call, and
    again at any call whose weights it comes from were replaced, given new data
    (`w.data = ...`) or changed in place since. A change made through another tensor
    sharing a weight's memory (`w.data.mul_(2)`) leaves no trace torch keeps, so it is
    not seen: that is what `freeze_weights` asks to accept."""

    def __init__(
        self, name: str, spec: TensorSpec, store: ParameterStore, weights: dict[str, int]
    ):
        self.name = name
        self.spec = spec
        self.store = store
        self.sources = {source: weights[source] for source in store.roots(name)}
        # (the sources' identities, versions and data pointers; the value; the sources,
        # held so that their identities stay theirs)
        self.made: tuple[tuple, torch.Tensor, tuple[torch.Tensor, ...]] | None = None

    def __call__(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        tensors = tuple(inputs[index] for index in self.sources.values())
        state = tuple((id(tensor), tensor._version, tensor.data_ptr()) for tensor in tensors)
        made = self.made
        if made is None or made[0] != state:
            made = (state, self.derive(tensors), tensors)
            self.made = made
        return made[1]

    def derive(self, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        values = {
            name: tensor.detach().numpy()
            for name, tensor in zip(self.sources, tensors, strict=True)
        }
        value = np.array(self.store.with_values(values).value(self.name), order="C")
        if TensorSpec.of(value) != self.spec:
            raise LithoError(
                f"derived weight {self.name!r} came out as {TensorSpec.of(value)}, but the "
                f"code takes {self.spec} (a litho bug; please report it)"
            )
        return torch.from_numpy(value)


class FallbackNotices:
    """What a compiled callable says when part of its work runs in torch eager.

    One `FallbackWarning` per kind (ops litho cannot compile, signatures past
    `max_specializations`); under `options.strict` the limit is a LithoError instead
    (unsupported ops are raised by `compile_graph_module`).
    """

    def __init__(self, options: Options, name: str):
        self.options = options
        self.name = name
        self.given: set[str] = set()

    def unsupported_ops(self, reasons: dict[torch.fx.Node, str]) -> None:
        if not reasons or self.options.strict:
            return
        ops = [describe(node) for node in reported_nodes(reasons)]
        self.warn_once(
            "fallback",
            f"litho runs {len(ops)} op(s) of {self.name} in torch eager: {', '.join(ops)}. "
            "litho.compiler.explain(model, *inputs) says why; strict=True makes this an error.",
        )

    def past_limit(self, compiled: int) -> None:
        message = (
            f"{self.name} has been compiled for {compiled} input signatures, the limit "
            "(max_specializations)"
        )
        if self.options.strict:
            raise LithoError(f"{message}; without strict=True new ones run in torch eager")
        self.warn_once("limit", f"{message}; new shapes or dtypes run in torch eager")

    def warn_once(self, kind: str, message: str) -> None:
        if kind not in self.given:
            self.given.add(kind)
            warn_at_user_code(message, FallbackWarning)


def compile_graph_module(
    graph_module: torch.fx.GraphModule,
    reasons: dict[torch.fx.Node, str],
    options: Options,
    report: CompileReport,
    name: str = "forward",
    store: ParameterStore | None = None,
) -> Runner:
    """A runner of `graph_module`'s flat inputs to its flat outputs (tensors, and the
    constants such as None or sizes that the graph returns as they are).

    `reasons` names the nodes litho cannot compile (importer.unsupported_reasons);
    under `options.strict` any such node is an UnsupportedOpsError. `name` names the
    IR dumps (the model and its signature). `store` has the values of the weights.
    """
    store = store or ParameterStore()
    if reasons and options.strict:
        raise UnsupportedOpsError(unsupported_message(reasons))
    if reasons:
        return _with_fallback(graph_module, reasons, options, report, name, store)
    return compile_native(graph_module.graph, options, report, store, dump_name=name)


class _Compilable(OperatorSupportBase):
    def __init__(self, reasons: dict[torch.fx.Node, str]):
        super().__init__()
        self.reasons = reasons

    def is_node_supported(self, submodules: object, node: torch.fx.Node) -> bool:
        return node.op == "call_function" and node not in self.reasons


class _NativeSubgraph(torch.nn.Module):
    """A compiled partition, called from the fallback graph like the module it replaces."""

    def __init__(self, native: NativeGraph, returns_tuple: bool):
        super().__init__()
        self.native = native
        self.returns_tuple = returns_tuple

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        outputs = self.native(inputs)
        return tuple(outputs) if self.returns_tuple else outputs[0]


def _with_fallback(
    graph_module: torch.fx.GraphModule,
    reasons: dict[torch.fx.Node, str],
    options: Options,
    report: CompileReport,
    name: str,
    store: ParameterStore,
) -> Runner:
    partitioner = CapabilityBasedPartitioner(
        graph_module, _Compilable(reasons), allows_single_node_partition=True
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", TREESPEC_WARNING, FutureWarning)
        fused = partitioner.fuse_partitions(partitioner.propose_partitions())
    for part, subgraph in list(fused.named_children()):
        output = next(node for node in subgraph.graph.nodes if node.op == "output")
        native = compile_native(
            subgraph.graph, options, report, store, part, f"{name}.{part}"
        )
        returns_tuple = isinstance(output.args[0], tuple | list)
        setattr(fused, part, _NativeSubgraph(native, returns_tuple))

    def run(inputs: Sequence[torch.Tensor]) -> list[object]:
        outputs = fused(*inputs)
        return list(outputs) if isinstance(outputs, tuple | list) else [outputs]

    return run
