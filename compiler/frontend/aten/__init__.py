"""The importers of core-ATen ops, by family; importing this package registers them all.

| module | ops |
| --- | --- |
| `elementwise` | arithmetic, math functions, comparisons, `where`, casts |
| `structure` | views, permutes, matmuls, reductions |
| `data` | creation, slicing, concatenation, indexing, sorting |
| `cnn` | convolution, pooling, padding |
"""

from litho.compiler.frontend.aten import cnn, data, elementwise, structure

__all__ = ["cnn", "data", "elementwise", "structure"]
