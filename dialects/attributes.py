"""The names of litho's discardable attributes, which passes write and later ones read.

- `litho.loc` on any op: the fx node and user source line it came from (the importer
  writes it; error messages read it).
- `litho.outputs` on a `func.func`: how many of its trailing arguments are outputs
  (litho-bufferize writes it; the native signature reads it).
- `litho.offset` on a `memref.alloc`: the buffer's byte offset in the arena
  (litho-memory-plan writes it; the translation and the interpreter read it).
- `litho.arena_size` on a `func.func`: the arena's bytes (litho-memory-plan writes it;
  the native signature and the interpreter read it).
- `litho.parameter` on an entry function's argument: the name of the model weight it
  is (the importer writes it for parameters, buffers the model does not update and
  constants; parameter passes add derived ones; the native signature and the
  runtime read it, lowering/common/parameters.py).
- `litho.unfused` on a `linalg.generic`: why litho-fuse-elementwise left it a buffer of
  its own rather than fusing it into a generic that reads it (for a reader of the IR;
  the compile report and `explain()` do not list it yet).
- `litho.kernel` on a `func.func`: the function is one kernel, outlined by
  litho-outline-kernels and called from the entry function (codegen makes it an
  internal LLVM function that is not inlined).
- `litho.attention` on a `linalg.generic`: its role in one `litho_tensor.attention`,
  one of `ATTENTION_ROLES` in order (convert-litho-tensor-to-linalg writes them;
  elementwise fusion leaves these generics alone, outlining makes them one kernel, and
  the CPU target's litho-attention runs that kernel as flash attention).
"""

LOCATION_ATTRIBUTE = "litho.loc"
OUTPUT_COUNT_ATTRIBUTE = "litho.outputs"
OFFSET_ATTRIBUTE = "litho.offset"
ARENA_SIZE_ATTRIBUTE = "litho.arena_size"
PARAMETER_ATTRIBUTE = "litho.parameter"
UNFUSED_ATTRIBUTE = "litho.unfused"
KERNEL_ATTRIBUTE = "litho.kernel"
ATTENTION_ATTRIBUTE = "litho.attention"
ATTENTION_ROLES = ("scores", "maxima", "weights", "sums", "values", "normalize")
"""The generics of one attention: the scaled scores `q @ kt`, their masked row maxima,
the weights `exp(scores + mask - maxima)`, their row sums, the weighted sum of the
values, and that sum divided by the row sums."""
