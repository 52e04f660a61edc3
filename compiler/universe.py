"""litho's dialects, passes and targets, as xDSL sees them.

`LITHO_UNIVERSE` is registered under the `xdsl.universe` entry point, so plain `xdsl-opt`
knows litho too. `litho_context()` gives a Context with every dialect litho's levels use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from litho.compiler.xdsl_fixes import apply_xdsl_fixes
from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.transforms import get_all_passes
from xdsl.universe import Universe
from xdsl.utils.target import Target

apply_xdsl_fixes()


def _litho_tensor() -> Dialect:
    from litho.dialects.tensor import LITHO_TENSOR

    return LITHO_TENSOR


def _litho_guard() -> Dialect:
    from litho.dialects.guard import LithoGuard

    return LithoGuard


def _litho_canonicalize() -> type[ModulePass]:
    from litho.lowering.graph.litho_canonicalize import LithoCanonicalizePass

    return LithoCanonicalizePass


def _litho_fold_parameters() -> type[ModulePass]:
    from litho.lowering.graph.litho_fold_parameters import LithoFoldParametersPass

    return LithoFoldParametersPass


def _litho_fuse_attention() -> type[ModulePass]:
    from litho.lowering.graph.litho_fuse_attention import LithoFuseAttentionPass

    return LithoFuseAttentionPass


def _convert_litho_tensor_to_linalg() -> type[ModulePass]:
    from litho.lowering.graph.convert_litho_tensor_to_linalg import ConvertLithoTensorToLinalgPass

    return ConvertLithoTensorToLinalgPass


def _litho_fuse_elementwise() -> type[ModulePass]:
    from litho.lowering.structured.litho_fuse_elementwise import LithoFuseElementwise

    return LithoFuseElementwise


def _litho_outline_kernels() -> type[ModulePass]:
    from litho.lowering.structured.litho_outline_kernels import LithoOutlineKernelsPass

    return LithoOutlineKernelsPass


def _litho_bufferize() -> type[ModulePass]:
    from litho.lowering.structured.litho_bufferize import LithoBufferizePass

    return LithoBufferizePass


def _litho_apply_patterns() -> type[ModulePass]:
    from litho.lowering.common.litho_apply_patterns import LithoApplyPatternsPass

    return LithoApplyPatternsPass


def _litho_parallel_loops() -> type[ModulePass]:
    from litho.lowering.loops.litho_parallel_loops import LithoParallelLoopsPass

    return LithoParallelLoopsPass


def _litho_interchange() -> type[ModulePass]:
    from litho.lowering.structured.litho_interchange import LithoInterchangePass

    return LithoInterchangePass


def _litho_fuse_loops() -> type[ModulePass]:
    from litho.lowering.loops.litho_fuse_loops import LithoFuseLoopsPass

    return LithoFuseLoopsPass


def _litho_memory_plan() -> type[ModulePass]:
    from litho.lowering.loops.litho_memory_plan import LithoMemoryPlanPass

    return LithoMemoryPlanPass


def _litho_expand_math() -> type[ModulePass]:
    from litho.lowering.targets.cpu.litho_expand_math import LithoExpandMathPass

    return LithoExpandMathPass


def _litho_attention() -> type[ModulePass]:
    from litho.lowering.targets.cpu.litho_attention import LithoAttentionPass

    return LithoAttentionPass


def _litho_gemm() -> type[ModulePass]:
    from litho.lowering.targets.cpu.litho_gemm import LithoGemmPass

    return LithoGemmPass


@dataclass(frozen=True)
class LLVMIRTarget(Target):
    """`-t litho-llvm`: print the LLVM IR that litho generates for an L3 module."""

    name = "litho-llvm"

    def emit(self, ctx: Context, module, output: IO[str]) -> None:
        from litho.lowering.targets.cpu.translate_to_llvm import translate_module

        print(translate_module(module), file=output)


LITHO_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "litho_tensor": _litho_tensor,
    "litho_guard": _litho_guard,
}

LITHO_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "litho-canonicalize": _litho_canonicalize,
    "litho-fold-parameters": _litho_fold_parameters,
    "litho-fuse-attention": _litho_fuse_attention,
    "convert-litho-tensor-to-linalg": _convert_litho_tensor_to_linalg,
    "litho-fuse-elementwise": _litho_fuse_elementwise,
    "litho-outline-kernels": _litho_outline_kernels,
    "litho-bufferize": _litho_bufferize,
    "litho-interchange": _litho_interchange,
    "litho-fuse-loops": _litho_fuse_loops,
    "litho-expand-math": _litho_expand_math,
    "litho-parallel-loops": _litho_parallel_loops,
    "litho-memory-plan": _litho_memory_plan,
    "litho-attention": _litho_attention,
    "litho-gemm": _litho_gemm,
    "litho-apply-patterns": _litho_apply_patterns,
}

LITHO_UNIVERSE = Universe(
    all_dialects=LITHO_DIALECTS,
    all_passes=LITHO_PASSES,
    all_targets={"litho-llvm": lambda: LLVMIRTarget},
)


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's passes and litho's, by name."""
    return {**get_all_passes(), **LITHO_PASSES}


def litho_context() -> Context:
    """A Context that knows every dialect of xDSL and of litho (loaded on demand)."""
    context = Context(allow_unregistered=False)
    for name, factory in {**get_all_dialects(), **LITHO_DIALECTS}.items():
        context.register_dialect(name, factory)
    return context
