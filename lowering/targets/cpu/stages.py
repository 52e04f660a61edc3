"""The CPU target's stages from L1 to L3, each a pass pipeline spec.

| stage      | level after it | pipeline                                            |
| ---------- | -------------- | --------------------------------------------------- |
| graph      | L1             | litho-fuse-attention, litho-canonicalize, cse,      |
|            |                | (litho-fold-parameters), dce                        |
| fuse       | L2             | convert-litho-tensor-to-linalg, litho-fuse-elementwise, |
|            |                | cse, litho-outline-kernels (one function per kernel)  |
| bufferize  | L3 (buffers)   | litho-bufferize                                     |
| schedule   | L3 (loops)     | litho-attention, litho-gemm, litho-interchange,     |
|            |                | convert-linalg-to-loops, lower-affine,              |
|            |                | litho-fuse-loops, litho-expand-math,                |
|            |                | litho-parallel-loops, litho-memory-plan             |

litho-fold-parameters folds everything that depends on weights alone with
`freeze_weights`, and only matmuls' weight operands with `pack_weights` (the default);
both are options that change code. litho-gemm's tiles come from the model of this CPU's
registers and caches (gemm_tiles.py), and with `autotune` from the autotuner's cache
where it has a matmul's shape; litho-attention's vectors follow the vector registers.
Codegen follows (translate_to_llvm.py, then the runtime's llvmlite engine).
"""

from litho.lowering.targets.cpu.gemm_tiles import host_tiles, vector_width


def cpu_stages(freeze_weights: bool = False, pack_weights: bool = True,
               autotune: bool = False) -> tuple[tuple[str, str], ...]:
    """The stages; with `freeze_weights`, the graph stage computes what depends on the
    weights alone once, at compile time (litho-fold-parameters); with `pack_weights`, only
    what matmuls read as their weight operand; with `autotune`, litho-gemm takes the
    tuned tiles of each matmul's shape that the autotuner's cache has."""
    if freeze_weights:
        fold = "litho-fold-parameters,"
    elif pack_weights:
        fold = "litho-fold-parameters{matmul_weights=true},"
    else:
        fold = ""
    gemm = host_tiles().options(**({"autotune": "true"} if autotune else {}))
    return (
        ("graph", f"litho-fuse-attention,litho-canonicalize,cse,{fold}dce"),
        ("fuse", "convert-litho-tensor-to-linalg,litho-fuse-elementwise,cse,"
                 "litho-outline-kernels"),
        ("bufferize", "litho-bufferize"),
        ("schedule", f"litho-attention{{vector_width={vector_width()}}},"
                     f"litho-gemm{gemm},litho-interchange,convert-linalg-to-loops,lower-affine,"
                     "litho-fuse-loops,litho-expand-math,litho-parallel-loops,"
                     "litho-memory-plan"),
    )


CPU_STAGES = cpu_stages()
