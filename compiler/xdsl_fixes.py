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
- `vector.reduction`'s constructor types its result as the vector it reduces; its
  definition (and MLIR) give the element type, which the fix gives.
- A hexadecimal element of a float `dense<...>` literal is the element's bits in MLIR
  (`dense<0xFF800000> : tensor<f32>` is -inf: how xDSL itself prints -inf and NaN);
  xDSL's parser read it as the integer's value, so -inf came back as 4286578688.0 and a
  mask's -inf from IR text was a large finite number. The fix reads those bits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from xdsl.dialects import arith, vector
from xdsl.dialects.builtin import AnyFloat, BFloat16Type, VectorType, i1
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.ir.core import SSAValues
from xdsl.irdl import AttrConstraint
from xdsl.parser import Parser
from xdsl.parser.attribute_parser import AttrParser
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
    vector.ReductionOp.__init__ = _to_one_element(vector.ReductionOp.__init__)
    arith.SelectOp.parse = classmethod(_parse_select)
    element = AttrParser._TensorLiteralElement
    element.to_type = _bits_of_hexadecimal_floats(element.to_type)


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


def _to_one_element(init: Callable) -> Callable:
    """A reduction's constructor that types its result as the vector's element."""

    def reduction_init(self: Operation, lanes: SSAValue | Operation, *args, **kwargs) -> None:
        init(self, lanes, *args, **kwargs)
        element = SSAValue.get(lanes).type.get_element_type()
        self.results = SSAValues([OpResult(element, self, 0)])

    return reduction_init


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


def _bits_of_hexadecimal_floats(to_type: Callable) -> Callable:
    """A dense literal element's conversion that reads a hexadecimal integer given for a
    float type as the float's bits, as MLIR does."""

    def element_to_type(self, parser: AttrParser, element_type):
        if not isinstance(element_type, AnyFloat) or isinstance(self.value, bool) or \
                not isinstance(self.value, int) or not self.span.text.lower().startswith("0x"):
            return to_type(self, parser, element_type)
        if isinstance(element_type, BFloat16Type):  # the high half of an f32
            return float(np.array([self.value << 16], np.uint32).view(np.float32)[0])
        width = element_type.bitwidth
        bits = np.array([self.value], np.dtype(f"uint{width}"))
        return float(bits.view(np.dtype(f"float{width}"))[0])

    return element_to_type
