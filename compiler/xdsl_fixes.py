"""Fixes litho applies to the pinned xDSL release, each with the reason it is needed.

Applied once, when `litho.compiler.universe` is imported (every litho entry point and
`xdsl-opt` with litho's universe import it). Remove a fix when xDSL ships its own.

- The lexer's string-literal regex nests a `+` inside a `*`, so an unterminated string
  (a missing `"`) makes it backtrack exponentially in the length of the line: the parser
  hangs instead of reporting the error. The replacement accepts the same strings with one
  character per repetition, which cannot backtrack that way. Found by litho's
  malformed-IR fuzzing (tests/test_verifier_fuzz.py).
"""

from __future__ import annotations

import re

from xdsl.utils.mlir_lexer import MLIRLexer

STRING_LITERAL = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')


def apply_xdsl_fixes() -> None:
    MLIRLexer._unescaped_characters_regex = STRING_LITERAL
