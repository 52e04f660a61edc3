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
  vector or tensor of it). A compare of vectors is built (and parsed) as a vector of
  i1 (xDSL's constructor gives an i1 whatever the operands), and a select on a vector of
  i1 prints as MLIR's does, `arith.select %c, %a, %b : vector<16xi1>,
  vector<16xf32>` (xDSL's declarative format leaves out the condition's type).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects.builtin import VectorType, i1
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.ir.core import SSAValues
from xdsl.irdl import AttrConstraint
from xdsl.parser import Parser
from xdsl.printer import Printer
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
    arith.SelectOp.print = _print_select
    for compare in (arith.CmpfOp, arith.CmpiOp):
        compare.__init__ = _lane_by_lane(compare.__init__)
    arith.SelectOp.parse = classmethod(_parse_select)


def _widen(definitions: list, field: str, constraint: AttrConstraint) -> None:
    """Let operand or result `field` of one op definition be anything `constraint` takes."""
    for position, (name, definition) in enumerate(definitions):
        if name == field:
            definitions[position] = (name, type(definition)(constraint))


def _lane_by_lane(init: Callable) -> Callable:
    """A compare's constructor that gives a vector of i1 for vector operands, as MLIR's
    does (its parser calls it too)."""

    def compare_init(self: Operation, operand1: SSAValue | Operation, *args, **kwargs) -> None:
        init(self, operand1, *args, **kwargs)
        operand_type = SSAValue.get(operand1).type
        if isinstance(operand_type, VectorType):
            self.results = SSAValues([OpResult(VectorType(i1, operand_type.get_shape()), self,
                                               0)])

    return compare_init


def _print_select(op: arith.SelectOp, printer: Printer) -> None:
    printer.print_string(" ")
    printer.print_list(op.operands, printer.print_operand)
    printer.print_op_attributes(op.attributes)
    printer.print_string(" : ")
    if op.cond.type != i1:
        printer.print_attribute(op.cond.type)
        printer.print_string(", ")
    printer.print_attribute(op.result.type)


def _parse_select(cls: type[arith.SelectOp], parser: Parser) -> arith.SelectOp:
    position = parser.pos
    operands = [parser.parse_unresolved_operand()]
    for _ in range(2):
        parser.parse_punctuation(",")
        operands.append(parser.parse_unresolved_operand())
    attributes = parser.parse_optional_attr_dict()
    parser.parse_punctuation(":")
    condition, value = i1, parser.parse_type()
    if parser.parse_optional_punctuation(",") is not None:
        condition, value = value, parser.parse_type()
    op = cls(*parser.resolve_operands(operands, [condition, value, value], position))
    op.attributes.update(attributes)
    return op
