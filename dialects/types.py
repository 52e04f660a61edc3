"""The element types litho compiles, in one table: name, xDSL type, numpy and torch dtypes.

Every other mapping of element types (the importer's, the interpreter's, the runtime's,
the generators') is a lookup in this table. torch dtypes are named, not imported, so
that the dialects (and `xdsl-opt` loading them) never import torch.

| name | xDSL | numpy | torch |
| --- | --- | --- | --- |
| f32 | f32 | float32 | float32 |
| f64 | f64 | float64 | float64 |
| i32 | i32 | int32 | int32 |
| i64 | i64 | int64 | int64 |
| i1 | i1 | bool | bool |
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import IndexType, f32, f64, i1, i32, i64
from xdsl.ir import Attribute


@dataclass(frozen=True)
class ElementType:
    """One element type: its name in litho (and MLIR), and its types elsewhere."""

    name: str
    attribute: Attribute
    numpy: np.dtype
    torch_name: str


ELEMENT_TYPES: tuple[ElementType, ...] = (
    ElementType("f32", f32, np.dtype(np.float32), "float32"),
    ElementType("f64", f64, np.dtype(np.float64), "float64"),
    ElementType("i32", i32, np.dtype(np.int32), "int32"),
    ElementType("i64", i64, np.dtype(np.int64), "int64"),
    ElementType("i1", i1, np.dtype(np.bool_), "bool"),
)
BY_NAME = {element.name: element for element in ELEMENT_TYPES}
BY_ATTRIBUTE = {element.attribute: element for element in ELEMENT_TYPES}
BY_TORCH_NAME = {element.torch_name: element for element in ELEMENT_TYPES}
FLOAT_NAMES = ("f32", "f64")


def element_type_named(name: str) -> Attribute:
    """The xDSL type of the element type `name` (f32, f64, i32, i64, i1)."""
    return BY_NAME[name].attribute


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that holds values of an xDSL element type (index: int64)."""
    if isinstance(element_type, IndexType):
        return np.dtype(np.int64)
    if element_type not in BY_ATTRIBUTE:
        raise NotImplementedError(f"no numpy dtype for element type {element_type}")
    return BY_ATTRIBUTE[element_type].numpy
