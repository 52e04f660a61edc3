"""The `torch.compile` backend: `torch.compile(model, backend="litho")`.

Registered under the `torch_dynamo_backends` entry point. Dynamo captures each graph
(breaking at Python control flow it cannot trace), AOT autograd lowers it to core ATen
with litho's decomposition table, and litho compiles the forward graph as `jit` would,
with the same op-level fallback. Options go through `torch.compile(..., options={...})`.

A graph Dynamo made shape-generic (after it saw a second shape) is specialized here:
each new signature is retraced with concrete shapes and compiled, up to
`max_specializations`; later ones run the graph in torch eager.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import torch
import torch.fx
from litho.compiler.frontend.decompositions import litho_decompositions
from litho.compiler.frontend.support import unsupported_reasons
from litho.compiler.graph_compiler import FallbackNotices, compile_graph_module
from litho.compiler.options import Options, make_options
from litho.compiler.pipeline import CompileReport
from litho.compiler.specializations import Specializations
from litho.runtime.compiled import Runner
from torch._dynamo.backends.common import aot_autograd
from torch._functorch.aot_autograd import make_boxed_func
from torch.fx.experimental.proxy_tensor import make_fx


class _ForwardGraph:
    """An AOT forward graph, compiled once per input signature (boxed calling convention)."""

    _boxed_call = True

    def __init__(self, graph_module: torch.fx.GraphModule, options: Options):
        self.graph_module = graph_module
        self.options = options
        self.symbolic = any(
            not isinstance(node.meta.get("val"), torch.Tensor)
            or any(isinstance(size, torch.SymInt) for size in node.meta["val"].shape)
            for node in graph_module.graph.nodes
            if node.op == "placeholder"
        )
        self.specializations = Specializations[Runner](options.max_specializations)
        self.notices = FallbackNotices(options, "a torch.compile graph")
        self.last_compile: CompileReport | None = None

    def __call__(self, inputs: list) -> Sequence[torch.Tensor]:
        key = tuple(
            (tuple(value.shape), value.dtype) if isinstance(value, torch.Tensor) else value
            for value in inputs
        )
        runner = self.specializations.get(key) or self.specializations.get_or_compile(
            key, lambda: self.compile(inputs)
        )
        if runner is None:
            return self.run_eager(inputs)
        tensors = [value for value in inputs if isinstance(value, torch.Tensor)]
        inputs.clear()
        return runner(tensors)

    def compile(self, inputs: list) -> Runner:
        report = CompileReport()
        start = time.perf_counter()
        graph_module = self.graph_module
        if self.symbolic:
            graph_module = self.specialize(inputs)
        reasons = unsupported_reasons(graph_module.graph)
        self.notices.unsupported_ops(reasons)
        with torch.no_grad():
            runner = compile_graph_module(graph_module, reasons, self.options, report)
        report.stage_times["total"] = time.perf_counter() - start
        self.last_compile = report
        return runner

    def specialize(self, inputs: list) -> torch.fx.GraphModule:
        """The graph retraced on `inputs`: sizes become constants, tensors placeholders."""
        tensor_positions = [i for i, value in enumerate(inputs) if isinstance(value, torch.Tensor)]

        def with_sizes(*tensors: torch.Tensor) -> object:
            arguments = list(inputs)
            for position, tensor in zip(tensor_positions, tensors, strict=True):
                arguments[position] = tensor
            return self.graph_module(*arguments)

        tensors = [inputs[position] for position in tensor_positions]
        with torch.no_grad():
            graph_module = make_fx(with_sizes, tracing_mode="fake")(*tensors)
        graph_module.graph.eliminate_dead_code()
        graph_module.recompile()
        return graph_module

    def run_eager(self, inputs: list) -> Sequence[torch.Tensor]:
        self.notices.past_limit(len(self.specializations))
        return self.graph_module(*inputs)


def litho_backend(
    graph_module: torch.fx.GraphModule,
    example_inputs: Sequence[object],
    options: dict[str, object] | None = None,
):
    """The Dynamo backend function: AOT autograd with litho compiling the forward graph.

    `options` are `jit`'s (`torch.compile(..., options={"strict": True})`). Backward
    graphs (training) run in torch eager.
    """
    resolved = make_options(**(options or {}))

    def compile_forward(forward: torch.fx.GraphModule, forward_inputs: Sequence[object]):
        return _ForwardGraph(forward, resolved)

    def keep_backward(backward: torch.fx.GraphModule, backward_inputs: Sequence[object]):
        return make_boxed_func(backward.forward)

    backend = aot_autograd(
        fw_compiler=compile_forward,
        bw_compiler=keep_backward,
        decompositions=litho_decompositions(),
    )
    return backend(graph_module, example_inputs)
