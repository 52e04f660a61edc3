"""The contenders of `litho bench`: each turns a workload's module into a call.

`prepare(name, workload, module, inputs)` returns a zero-argument callable (what is timed)
after its first call, which compiles where there is compiling to do. Every contender runs
in inference mode (`torch.no_grad`). A contender that cannot run a workload raises
`Unavailable` with the reason, and the report says so instead of a time.

- `eager`: the module in torch eager, the reference every ratio divides by.
- `inductor`: `torch.compile(module)` (inductor, default mode).
- `litho`: `litho.compiler.jit(module, strict=True)`.
- `litho-tuned`: the same with `autotune=True` (its first compile of a shape on this
  machine times candidate tiles); not in the default set.
- `numpy`: numpy's BLAS (`np.matmul`), for GEMM workloads only.
- `onnxruntime`: the module exported with `torch.onnx.export`, run by an ONNX Runtime CPU
  session; only where onnxruntime (the `onnx` extra) is installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np
import torch
import torch.utils._pytree as pytree
from litho.benchmarks.workloads import Workload

CONTENDERS = ("eager", "inductor", "litho", "litho-tuned", "numpy", "onnxruntime")


class Unavailable(Exception):
    """This contender cannot run this workload (the message says why)."""


def _no_grad(call: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with torch.no_grad():
            return call()

    return run


def _eager(module: torch.nn.Module, inputs: tuple) -> Callable[[], object]:
    return _no_grad(lambda: module(*inputs))


def _inductor(module: torch.nn.Module, inputs: tuple) -> Callable[[], object]:
    compiled = torch.compile(module)
    return _no_grad(lambda: compiled(*inputs))


def _litho(module: torch.nn.Module, inputs: tuple, autotune: bool = False
           ) -> Callable[[], object]:
    from litho.compiler import jit

    fast = jit(module, strict=True, autotune=autotune)
    return lambda: fast(*inputs)


def _numpy(module: torch.nn.Module, inputs: tuple) -> Callable[[], object]:
    arrays = [tensor.numpy() for tensor in inputs]
    if isinstance(module, torch.nn.Linear):
        weight = np.ascontiguousarray(module.weight.detach().numpy().T)
        bias = module.bias.detach().numpy()
        return lambda: torch.from_numpy(arrays[0] @ weight + bias)
    if len(arrays) == 2:
        return lambda: torch.from_numpy(arrays[0] @ arrays[1])
    raise Unavailable("numpy runs the GEMM workloads only")


def _onnxruntime(module: torch.nn.Module, inputs: tuple) -> Callable[[], object]:
    if importlib.util.find_spec("onnxruntime") is None:
        raise Unavailable("onnxruntime is not installed (pip install -e '.[onnx]')")
    import onnxruntime

    try:
        program = torch.onnx.export(module, inputs, dynamo=True, verbose=False)
        options = onnxruntime.SessionOptions()
        # idle threads that spin take the cores from the contender timed next
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            program.model_proto.SerializeToString(), options,
            providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # the exporter's failures have no common type
        raise Unavailable(f"torch.onnx.export failed: {type(error).__name__}") from error
    names = [argument.name for argument in session.get_inputs()]
    feeds = {name: tensor.numpy() for name, tensor in zip(names, inputs, strict=True)}
    return lambda: session.run(None, feeds)


_PREPARE = {"eager": _eager, "inductor": _inductor, "litho": _litho,
            "litho-tuned": lambda module, inputs: _litho(module, inputs, autotune=True),
            "numpy": _numpy, "onnxruntime": _onnxruntime}


def prepare(name: str, workload: Workload, module: torch.nn.Module,
            inputs: tuple) -> Callable[[], object]:
    """The call to time for contender `name`; `Unavailable` if it cannot run this one."""
    if name == "numpy" and workload.kind != "gemm":
        raise Unavailable("numpy runs the GEMM workloads only")
    return _PREPARE[name](module, inputs)


def settle_seconds(name: str) -> float:
    """The pause after timing contender `name`, for the threads it leaves spinning. Timed
    right after numpy's GEMM 512, eager's took 2.2x its time and litho's 6x (OpenBLAS's
    threads spin for about 0.1 s after a call; its pause is longer, since 0.1 s still
    left eager's GEMM 256 1.4x slow); numpy's took 1.3x its time right after litho's or
    eager's (OpenMP's threads, which torch, inductor and litho share, spin for a few
    milliseconds). onnxruntime's spinning is turned off in its session."""
    return 0.25 if name == "numpy" else 0.02


def output_tensors(output: object) -> list[torch.Tensor]:
    """The tensors of an output, in order (a model's output object, a tuple, a list of
    numpy arrays from onnxruntime)."""
    leaves = pytree.tree_leaves(output)
    if hasattr(output, "to_tuple"):
        leaves = pytree.tree_leaves(output.to_tuple())
    return [torch.as_tensor(leaf) for leaf in leaves
            if isinstance(leaf, torch.Tensor | np.ndarray)]
