"""The entry function of a compiled module, and its `NativeSignature`, derived once.

The L3 function says the calling convention in its own IR: its memref arguments are
the inputs (weights marked `litho.parameter`) and then `litho.outputs` outputs
(marked by `litho-bufferize`),
`litho.arena_size` is the arena (set by `litho-memory-plan`), and its
`litho_guard.checked_index` ops are the error sites (`dialects/guard.py:error_sites`).
Targets hand the signature to their runtime; the interpreter allocates outputs from it.
"""

from __future__ import annotations

from litho.dialects.attributes import ARENA_SIZE_ATTRIBUTE, OUTPUT_COUNT_ATTRIBUTE
from litho.dialects.guard import error_sites
from litho.dialects.types import BY_ATTRIBUTE
from litho.lowering.common.parameters import input_parameter_names
from litho.runtime.signature import NativeSignature, TensorSpec
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, ModuleOp


def entry_function(module: ModuleOp) -> func.FuncOp:
    """The function a compiled module is called through: its first `func.func`."""
    for op in module.ops:
        if isinstance(op, func.FuncOp):
            return op
    raise ValueError("module has no func.func")


def is_destination_passing(function: func.FuncOp) -> bool:
    """Whether `function` is bufferized: it writes its results into output arguments."""
    return OUTPUT_COUNT_ATTRIBUTE in function.attributes


def native_signature(module: ModuleOp) -> NativeSignature:
    """The calling convention of `module`'s entry function, bufferized (L3)."""
    function = entry_function(module)
    if not is_destination_passing(function):
        raise ValueError(
            f"@{function.sym_name.data} has no {OUTPUT_COUNT_ATTRIBUTE} attribute: "
            "only a function litho-bufferize made has a native signature"
        )
    buffers = [_spec_of(memref_type) for memref_type in function.function_type.inputs.data]
    output_count = function.attributes[OUTPUT_COUNT_ATTRIBUTE].value.data
    input_count = len(buffers) - output_count
    arena = function.attributes.get(ARENA_SIZE_ATTRIBUTE)
    return NativeSignature(
        function.sym_name.data,
        tuple(buffers[:input_count]),
        tuple(buffers[input_count:]),
        arena.value.data if arena is not None else 0,
        tuple(input_parameter_names(function)),
        tuple(check.error_report() for check in error_sites(module)),
    )


def _spec_of(memref_type: MemRefType) -> TensorSpec:
    element = BY_ATTRIBUTE[memref_type.get_element_type()]
    return TensorSpec(tuple(memref_type.get_shape()), element.torch_name)
