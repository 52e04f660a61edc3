"""The CPU target's stages from L1 to L3, each a pass pipeline spec.

| stage      | level after it | pipeline                                            |
| ---------- | -------------- | --------------------------------------------------- |
| graph      | L1             | litho-canonicalize, cse, dce                        |
| fuse       | L2             | convert-litho-tensor-to-linalg                      |
| bufferize  | L3 (buffers)   | litho-bufferize                                     |
| schedule   | L3 (loops)     | convert-linalg-to-loops, lower-affine, memory plan  |

Codegen follows (translate_to_llvm.py, then the runtime's llvmlite engine).
"""

CPU_STAGES: tuple[tuple[str, str], ...] = (
    ("graph", "litho-canonicalize,cse,dce"),
    ("fuse", "convert-litho-tensor-to-linalg"),
    ("bufferize", "litho-bufferize"),
    ("schedule", "convert-linalg-to-loops,lower-affine,litho-memory-plan"),
)
