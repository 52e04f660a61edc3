"""The CPU target's stages from L1 to L3, each a pass pipeline spec.

| stage      | level after it | pipeline                                            |
| ---------- | -------------- | --------------------------------------------------- |
| graph      | L1             | litho-fuse-attention, litho-canonicalize, cse,      |
|            |                | (litho-fold-parameters), dce                        |
| fuse       | L2             | convert-litho-tensor-to-linalg, litho-fuse-elementwise, |
|            |                | cse, litho-outline-kernels (one function per kernel)  |
| bufferize  | L3 (buffers)   | litho-bufferize                                     |
| schedule   | L3 (loops)     | litho-attention, litho-gemm,                        |
|            |                | convert-linalg-to-loops, lower-affine,              |
|            |                | litho-fuse-loops, litho-expand-math,                |
|            |                | litho-parallel-loops, litho-memory-plan             |

litho-fold-parameters folds everything that depends on weights alone with
`freeze_weights`, and only matmuls' weight operands with `pack_weights` (the default);
both are options that change code. litho-gemm's tiles and litho-attention's vectors
follow the host's vector registers.
Codegen follows (translate_to_llvm.py, then the runtime's llvmlite engine).
"""

import llvmlite.binding as llvm


def vector_width() -> int:
    """Floats per vector register of this CPU: 16 with AVX-512, 8 with AVX2, else 4."""
    features = llvm.get_host_cpu_features()
    return 16 if features.get("avx512f") else 8 if features.get("avx2") else 4


def gemm_tiles() -> str:
    """litho-gemm's options for this CPU's vector registers: the defaults for AVX-512 (32
    of 16 floats); with AVX2 (16 of 8 floats), 6 x 16 tiles (12 accumulators); else SSE's
    16 of 4 floats, 6 x 8 tiles."""
    width = vector_width()
    if width == 16:
        return ""
    return f"{{vector_width={width} columns={2 * width} column_block={128 * width}}}"


def cpu_stages(freeze_weights: bool = False, pack_weights: bool = True
               ) -> tuple[tuple[str, str], ...]:
    """The stages; with `freeze_weights`, the graph stage computes what depends on the
    weights alone once, at compile time (litho-fold-parameters); with `pack_weights`, only
    what matmuls read as their weight operand."""
    if freeze_weights:
        fold = "litho-fold-parameters,"
    elif pack_weights:
        fold = "litho-fold-parameters{matmul_weights=true},"
    else:
        fold = ""
    return (
        ("graph", f"litho-fuse-attention,litho-canonicalize,cse,{fold}dce"),
        ("fuse", "convert-litho-tensor-to-linalg,litho-fuse-elementwise,cse,"
                 "litho-outline-kernels"),
        ("bufferize", "litho-bufferize"),
        ("schedule", f"litho-attention{{vector_width={vector_width()}}},"
                     f"litho-gemm{gemm_tiles()},convert-linalg-to-loops,lower-affine,"
                     "litho-fuse-loops,litho-expand-math,litho-parallel-loops,"
                     "litho-memory-plan"),
    )


CPU_STAGES = cpu_stages()
