"""Generated malformed IR, for checking that the parser and verifiers fail cleanly.

`malformed_ir()` draws a valid program, prints it (custom or generic syntax) and breaks
it once: a type changed, an attribute given a bad value, a use left dangling, a defining
op deleted, an operand swapped for one of another type, or a token dropped. Feeding the
text to `parse_and_verify` must give either a module that verifies (the mutation happened
to keep it valid) or a ParseError / VerifyException with a message; anything else
raised is a bug in litho or in xDSL.

```python
@given(malformed_ir())
def test_rejected_cleanly(case):
    parse_and_verify(case.text)   # raises only ParseError or a DiagnosticException
```
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO

from hypothesis import strategies as st
from litho.compiler.testing.program import ELEMENT_TYPES
from litho.compiler.testing.strategies import programs
from litho.compiler.universe import litho_context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.printer import Printer

_TENSOR_TYPE = re.compile(r"tensor<[0-9x]*(f32|f64|i1|i32|i64)>")
_DIMS = re.compile(r"array<i64(: [-0-9, ]*)?>")
_STRING = re.compile(r'"(eq|ne|lt|le|gt|ge|none|tanh)"')
_USE = re.compile(r"(?<=[ (,])%[0-9]+(?=[ ,)])")
_DEFINITION = re.compile(r"^ *%[0-9]+ = .*$", re.MULTILINE)
_TOKEN = re.compile(r"[%\w.]+|[^\s\w]")


@dataclass(frozen=True)
class MalformedIR:
    text: str
    mutation: str


def parse_and_verify(text: str) -> ModuleOp:
    """Parse `text` with every litho dialect and verify it."""
    module = Parser(litho_context(), text).parse_module()
    module.verify()
    return module


def _replace_one(draw: Callable, pattern: re.Pattern, text: str,
                 replacement: Callable[[str], str]) -> str | None:
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    match = draw(st.sampled_from(matches))
    return text[: match.start()] + replacement(match.group(0)) + text[match.end() :]


def _other_type(draw: Callable) -> str:
    shape = draw(st.lists(st.integers(0, 5), max_size=3))
    element = draw(st.sampled_from(sorted(ELEMENT_TYPES)))
    return "tensor<" + "".join(f"{size}x" for size in shape) + element + ">"


def _bad_dims(draw: Callable) -> str:
    values = draw(st.lists(st.integers(-5, 5), max_size=4))
    return "array<i64" + (": " + ", ".join(map(str, values)) if values else "") + ">"


@st.composite
def malformed_ir(draw: Callable) -> MalformedIR:
    """Printed litho_tensor programs with one thing broken."""
    module = draw(programs(max_ops=5)).to_module()
    generic = draw(st.booleans())
    text = _print(module, generic)
    mutation = draw(st.sampled_from(
        ("type", "dims", "string", "dangling", "delete-op", "swap-operand", "drop-token")
    ))
    mutated: str | None = None
    match mutation:
        case "type":
            mutated = _replace_one(draw, _TENSOR_TYPE, text, lambda _: _other_type(draw))
        case "dims":
            mutated = _replace_one(draw, _DIMS, text, lambda _: _bad_dims(draw))
        case "string":
            word = draw(st.text("abcxyz_", min_size=0, max_size=4))
            mutated = _replace_one(draw, _STRING, text, lambda _: f'"{word}"')
        case "dangling":
            mutated = _replace_one(draw, _USE, text, lambda _: "%999")
        case "delete-op":
            mutated = _replace_one(draw, _DEFINITION, text, lambda _: "")
        case "swap-operand":
            names = sorted(set(_USE.findall(text)))
            mutated = _replace_one(draw, _USE, text, lambda _: draw(st.sampled_from(names)))
        case "drop-token":
            mutated = _replace_one(draw, _TOKEN, text, lambda _: "")
    return MalformedIR(mutated if mutated is not None else text[:-2], mutation)


def _print(module: ModuleOp, generic: bool) -> str:
    stream = StringIO()
    Printer(stream=stream, print_generic_format=generic).print_op(module)
    return stream.getvalue()
