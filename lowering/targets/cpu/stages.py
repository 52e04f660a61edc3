"""The CPU target's stages from L1 to L3, each a pass pipeline spec.

| stage      | level after it | pipeline                                            |
| ---------- | -------------- | --------------------------------------------------- |
| graph      | L1             | litho-canonicalize, cse, (litho-fold-parameters), dce |
| fuse       | L2             | convert-litho-tensor-to-linalg, litho-fuse-elementwise, |
|            |                | cse, litho-outline-kernels (one function per kernel)  |
| bufferize  | L3 (buffers)   | litho-bufferize                                     |
| schedule   | L3 (loops)     | convert-linalg-to-loops, lower-affine,              |
|            |                | litho-fuse-loops, litho-expand-math,                |
|            |                | litho-parallel-loops, litho-memory-plan             |

litho-fold-parameters runs only with `freeze_weights` (an option that changes code).
Codegen follows (translate_to_llvm.py, then the runtime's llvmlite engine).
"""


def cpu_stages(freeze_weights: bool = False) -> tuple[tuple[str, str], ...]:
    """The stages; with `freeze_weights`, the graph stage computes what depends on the
    weights alone once, at compile time (litho-fold-parameters)."""
    fold = "litho-fold-parameters," if freeze_weights else ""
    return (
        ("graph", f"litho-canonicalize,cse,{fold}dce"),
        ("fuse", "convert-litho-tensor-to-linalg,litho-fuse-elementwise,cse,"
                 "litho-outline-kernels"),
        ("bufferize", "litho-bufferize"),
        ("schedule", "litho-gemm,convert-linalg-to-loops,lower-affine,litho-fuse-loops,"
                     "litho-expand-math,litho-parallel-loops,litho-memory-plan"),
    )


CPU_STAGES = cpu_stages()
