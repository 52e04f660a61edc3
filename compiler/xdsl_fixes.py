"""Fixes litho applies to the pinned xDSL release, each with the reason it is needed.

Applied once, when `litho.compiler.universe` is imported (every litho entry point and
`xdsl-opt` with litho's universe import it). Remove a fix when xDSL ships its own.

- The lexer's string-literal regex nests a `+` inside a `*`, so an unterminated string
  (a missing `"`) makes it backtrack exponentially in the length of the line: the parser
  hangs instead of reporting the error. The replacement accepts the same strings with one
  character per repetition, which cannot backtrack that way. Found by litho's
  malformed-IR fuzzing (tests/test_verifier_fuzz.py).
- `arith.cmpf` and `arith.cmpi` give an i1, `arith.select` takes one, and `arith.fptosi`
  takes and gives scalars: MLIR allows vectors (lane by lane), which litho-gemm's vector
  epilogues and litho-expand-math on vectors need. The fix widens those constraints to
  xDSL's own `boolLike`, `floatingPointLike` and `signlessIntegerLike` (the scalar, or a
  vector or tensor of it).
"""

from __future__ import annotations

import re

from xdsl.dialects import arith
from xdsl.irdl import AttrConstraint
from xdsl.utils.mlir_lexer import MLIRLexer

STRING_LITERAL = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')


def apply_xdsl_fixes() -> None:
    MLIRLexer._unescaped_characters_regex = STRING_LITERAL
    for op, definitions, field, constraint in (
            (arith.CmpfOp, "results", "result", arith.boolLike),
            (arith.CmpiOp, "results", "result", arith.boolLike),
            (arith.SelectOp, "operands", "cond", arith.boolLike),
            (arith.FPToSIOp, "operands", "input", arith.floatingPointLike),
            (arith.FPToSIOp, "results", "result", arith.signlessIntegerLike)):
        _widen(getattr(op.get_irdl_definition(), definitions), field, constraint)


def _widen(definitions: list, field: str, constraint: AttrConstraint) -> None:
    """Let operand or result `field` of one op definition be anything `constraint` takes."""
    for position, (name, definition) in enumerate(definitions):
        if name == field:
            definitions[position] = (name, type(definition)(constraint))
