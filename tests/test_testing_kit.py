"""The testing kit catches subtly broken rewrites and hands back a small repro."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litho.compiler.interpreter import run_function
from litho.compiler.testing import (
    REASSOCIATE,
    Argument,
    CheckFailure,
    Node,
    PatternNeverFired,
    Program,
    SemanticsCheckFailure,
    ValueSpec,
    check_pass,
    check_patterns,
    inputs_for,
    programs,
    reproduce_patterns,
)
from litho.compiler.testing.compare import load_inputs
from litho.compiler.testing.reduce import ir_size, reduce_program
from litho.compiler.universe import litho_context
from litho.dialects import tensor as lt
from litho.dialects.upstream_interpreter import BufferRaceError
from litho.lowering.graph import convert_litho_tensor_to_linalg as to_linalg
from litho.lowering.structured import litho_bufferize
from litho.lowering.structured.litho_bufferize import LithoBufferizePass
from test_pass_properties import BUFFERIZE_PROGRAMS
from xdsl.dialects import arith, memref, tensor
from xdsl.ir.affine import AffineMap
from xdsl.parser import Parser
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

TESTS = Path(__file__).parent


class SubSwapsOperandsPattern(RewritePattern):
    """Broken on purpose: lowers `a - b` to a generic computing `b - a`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.SubOp, rewriter: PatternRewriter):
        inputs = [op.rhs, op.lhs]
        shape = op.result.type.get_shape()
        maps = [to_linalg.broadcast_map(value.type.get_shape(), shape) for value in inputs]
        body = lambda args: arith.SubfOp(args[0], args[1]).result  # noqa: E731
        to_linalg.elementwise(rewriter, op, inputs, body, maps)


class AddDropsBroadcastPattern(RewritePattern):
    """Broken on purpose: treats a same-rank operand as if it were never broadcast."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.AddOp, rewriter: PatternRewriter):
        shape = op.result.type.get_shape()
        maps = [
            AffineMap.identity(len(shape)) if value.type.get_num_dims() == len(shape)
            else to_linalg.broadcast_map(value.type.get_shape(), shape)
            for value in (op.lhs, op.rhs)
        ]
        body = lambda args: arith.AddfOp(args[0], args[1]).result  # noqa: E731
        to_linalg.elementwise(rewriter, op, [op.lhs, op.rhs], body, maps)


class MulByOneIgnoresShapePattern(RewritePattern):
    """Broken on purpose: folds `x * 1` to `x` even when the 1 broadcasts `x`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.MulOp, rewriter: PatternRewriter):
        constant = op.rhs.owner
        if isinstance(constant, lt.ConstantOp) and constant.value.get_values()[0] == 1:
            rewriter.replace_op(op, [], [op.lhs])


def _name(item: object) -> str:
    return getattr(item, "__name__", "")


# The lowering bugs are caught with the default programs; a canonicalization is tested,
# as its author would, on programs of the ops it rewrites.
BROKEN = [
    (SubSwapsOperandsPattern, None),
    (AddDropsBroadcastPattern, None),
    (MulByOneIgnoresShapePattern, programs(ops=("mul", "add", "neg"))),
]


@pytest.mark.parametrize("pattern,strategy", BROKEN, ids=_name)
def test_broken_rewrite_is_caught_with_a_small_repro(pattern, strategy, tmp_path, monkeypatch):
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))
    with pytest.raises(SemanticsCheckFailure) as failure:
        check_patterns([pattern()], tolerance=REASSOCIATE, program_strategy=strategy)
    repro = failure.value.repro
    assert repro is not None and repro.exists()
    body = [line for line in repro.read_text().splitlines() if " = " in line]
    assert 1 <= len(body) <= 3, repro.read_text()
    assert "litho-opt" in str(failure.value) and str(repro) in str(failure.value)


def test_litho_opt_command_reproduces_the_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))
    floats = programs(dtypes=("f32",))  # on integers the pattern makes invalid IR
    with pytest.raises(SemanticsCheckFailure) as failure:
        check_patterns([SubSwapsOperandsPattern()], tolerance=REASSOCIATE, program_strategy=floats)
    repro = failure.value.repro
    inputs = repro.with_suffix(".npz")
    names = f"{__name__}:SubSwapsOperandsPattern"
    command = [
        sys.executable, "-c", "from litho.compiler.cli import litho_opt_main; litho_opt_main()",
        str(repro), "-p", f'litho-apply-patterns{{names="{names}"}}',
        "--check-semantics", str(inputs),
    ]
    environment = {**os.environ, "PYTHONPATH": str(TESTS)}
    broken = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert broken.returncode == 1, broken.stderr
    assert "semantics changed" in broken.stderr
    command[command.index("-p") + 1] = "convert-litho-tensor-to-linalg"
    correct = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert correct.returncode == 0, correct.stderr
    assert "semantics preserved" in correct.stderr
    assert len(load_inputs(inputs)) == 2


def test_pattern_that_never_fires_fails_its_test():
    with pytest.raises(PatternNeverFired, match="never fired") as failure:
        check_patterns([SubSwapsOperandsPattern()], program_strategy=programs(ops=("add",)))
    assert failure.value.report.never_fired() == ["SubSwapsOperandsPattern"]


def test_never_fired_is_not_a_miscompile():
    """Catching the miscompile class must not swallow a check that tested nothing."""
    assert issubclass(PatternNeverFired, CheckFailure)
    assert issubclass(SemanticsCheckFailure, CheckFailure)
    assert not issubclass(PatternNeverFired, SemanticsCheckFailure)
    assert not issubclass(SemanticsCheckFailure, PatternNeverFired)
    with pytest.raises(PatternNeverFired):
        try:
            check_patterns([SubSwapsOperandsPattern()], program_strategy=programs(ops=("add",)))
        except SemanticsCheckFailure:
            pytest.fail("a pattern that never fired was reported as a miscompile")


class SubSwapsWhenAskedPattern(RewritePattern):
    """Broken on purpose, and built with an argument litho-opt cannot pass."""

    def __init__(self, swap: bool):
        self.swap = swap

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: lt.SubOp, rewriter: PatternRewriter):
        if self.swap:
            SubSwapsOperandsPattern().match_and_rewrite(op, rewriter)


def _float_subtractions():
    return programs(ops=("sub", "neg"), dtypes=("f32",))


def test_check_patterns_applies_a_pattern_built_with_arguments(tmp_path, monkeypatch):
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))
    with pytest.raises(SemanticsCheckFailure, match="takes constructor arguments") as failure:
        check_patterns([SubSwapsWhenAskedPattern(swap=True)], tolerance=REASSOCIATE,
                       program_strategy=_float_subtractions())
    assert "reproduce_patterns([SubSwapsWhenAskedPattern(...)]" in str(failure.value)
    assert "litho-opt cannot load" in str(failure.value)
    repro = failure.value.repro
    inputs = repro.with_suffix(".npz")
    broken = [SubSwapsWhenAskedPattern(swap=True)]
    assert reproduce_patterns(broken, repro, inputs, REASSOCIATE) is not None
    harmless = [SubSwapsWhenAskedPattern(swap=False)]
    assert reproduce_patterns(harmless, repro, inputs, REASSOCIATE) is None


def test_check_patterns_applies_a_pattern_defined_in_the_test(tmp_path, monkeypatch):
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))

    class LocalSubSwapsPattern(SubSwapsOperandsPattern):
        pass

    with pytest.raises(SemanticsCheckFailure, match="defined inside a function") as failure:
        check_patterns([LocalSubSwapsPattern()], tolerance=REASSOCIATE,
                       program_strategy=_float_subtractions())
    assert "reproduce_patterns([LocalSubSwapsPattern(...)]" in str(failure.value)
    repro = failure.value.repro
    problem = reproduce_patterns([LocalSubSwapsPattern()], repro, repro.with_suffix(".npz"),
                                 REASSOCIATE)
    assert problem and "differ" in problem


@settings(max_examples=30, deadline=None, database=None)
@given(programs(), st.data())
def test_reducer_keeps_every_candidate_equivalent(program, data):
    """Cutting an op's result into an argument fed its value keeps the outputs the same."""
    inputs = data.draw(inputs_for(program))
    expected = run_function(program.to_module(), inputs)
    seen = []

    def record(candidate, candidate_inputs):
        if candidate.outputs == program.outputs[-1:] or len(candidate.outputs) == len(expected):
            seen.append((candidate, candidate_inputs))
        return True

    reduce_program(program, inputs, record, splice_ops=False)
    for candidate, candidate_inputs in seen:
        actual = run_function(candidate.to_module(), candidate_inputs)
        wanted = expected[-len(actual):]
        for want, got in zip(wanted, actual, strict=True):
            np.testing.assert_array_equal(want, got)


def test_reducer_splices_out_ops_the_failure_does_not_need():
    """`relu(sub(neg(x), y))` failing because of its `sub` reduces to the `sub` alone: the
    `neg` is cut into an argument, the `relu` spliced out (its user reads its operand)."""
    spec = ValueSpec((2, 3), "f32")
    program = Program(
        (Argument(spec), Argument(spec)),
        (Node("neg", (0,), spec), Node("sub", (2, 1), spec), Node("relu", (3,), spec)),
        (4,),
    )
    inputs = [np.full((2, 3), -1.0, np.float32), np.ones((2, 3), np.float32)]

    def has_a_sub(candidate: Program, candidate_inputs: list) -> bool:
        return any(node.op == "sub" for node in candidate.nodes)

    reduced, reduced_inputs = reduce_program(program, inputs, has_a_sub)
    assert [node.op for node in reduced.nodes] == ["sub"]
    expected = np.ones((2, 3), np.float32) - 1  # neg(-1) - 1, without the relu
    np.testing.assert_array_equal(run_function(reduced.to_module(), reduced_inputs)[0], expected)


def test_reducer_keeps_an_op_the_failure_needs():
    spec = ValueSpec((3,), "f32")
    program = Program((Argument(spec),), (Node("neg", (0,), spec), Node("relu", (1,), spec)), (2,))

    def needs_both(candidate: Program, candidate_inputs: list) -> bool:
        return [node.op for node in candidate.nodes] == ["neg", "relu"]

    reduced, _ = reduce_program(program, [np.zeros(3, np.float32)], needs_both)
    assert [node.op for node in reduced.nodes] == ["neg", "relu"]


def test_reducer_replaces_an_op_with_constants_by_a_copy():
    """A failure that needs a computed value before the `neg`, not the integer division
    there, keeps a copy in place of the division and drops its divisor constant."""
    spec = ValueSpec((2, 2), "i64")
    program = Program(
        (Argument(spec),),
        (Node("int_div", (0,), spec, {"divisor": 3, "rounding": "floor"}),
         Node("neg", (1,), spec)),
        (2,),
    )

    def neg_of_a_computed_value(candidate: Program, candidate_inputs: list) -> bool:
        return [node.op for node in candidate.nodes][-1:] == ["neg"] and len(candidate.nodes) == 2

    reduced, _ = reduce_program(program, [np.arange(4).reshape(2, 2)], neg_of_a_computed_value)
    assert [node.op for node in reduced.nodes] == ["permute", "neg"]
    assert ir_size(reduced) == 2 and ir_size(program) == 3


# -- generics on buffers that alias ---------------------------------------------------

def _copy(source, destination, buffer_type, rank):
    dims = ", ".join(f"d{i}" for i in range(rank))
    identity = f"affine_map<({dims}) -> ({dims})>"
    iterators = ", ".join(['"parallel"'] * rank)
    return (
        f"linalg.generic {{indexing_maps = [{identity}, {identity}], iterator_types = "
        f"[{iterators}]}} ins({source} : {buffer_type}) "
        f"outs({destination} : {buffer_type}) {{\n^bb0(%element: f32, %unused: f32):\n"
        "  linalg.yield %element : f32\n}\n"
    )


def _run_in_place(generic: str, buffer_type: str, rank: int, x: np.ndarray) -> np.ndarray:
    """Run `generic` (which may write %x in place), then return what %x holds."""
    text = (
        f"func.func @main(%x: {buffer_type}, %out: {buffer_type})\n"
        f"    attributes {{litho.outputs = 1 : i64}} {{\n{generic}\n"
        f"{_copy('%x', '%out', buffer_type, rank)}func.return\n}}"
    )
    module = Parser(litho_context(), text).parse_module()
    return run_function(module, [x])[0]


_TRANSPOSE_IN_PLACE = """
linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>,
    affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
    ins(%x : memref<3x3xf32>) outs(%x : memref<3x3xf32>) {
^bb0(%a: f32, %b: f32):
  linalg.yield %a : f32
}"""

_DOUBLE_IN_PLACE = """
linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
    affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
    ins(%x : memref<3x3xf32>) outs(%x : memref<3x3xf32>) {
^bb0(%a: f32, %b: f32):
  %c = arith.addf %a, %a : f32
  linalg.yield %c : f32
}"""

# out[i] = x[i] + sum over k of x[k], accumulated into x itself: point (i, k) reads
# x[k], which point (k, 0) writes.
_SUM_READS_OUTPUT_ELSEWHERE = """
linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>],
    iterator_types = ["parallel", "reduction"]}
    ins(%x : memref<3xf32>) outs(%x : memref<3xf32>) {
^bb0(%a: f32, %b: f32):
  %c = arith.addf %a, %b : f32
  linalg.yield %c : f32
}"""

# x[i] accumulated into itself once per point of d1 (whose size %out gives): only points
# that differ along the reduction dim share memory, so loop order defines it: 2x, 4x, 8x.
_SUM_READS_ITS_OWN_ELEMENT = """
linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>,
    affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
    ins(%x, %out : memref<3xf32>, memref<3xf32>) outs(%x : memref<3xf32>) {
^bb0(%a: f32, %size_only: f32, %b: f32):
  %c = arith.addf %a, %b : f32
  linalg.yield %c : f32
}"""

# A gather whose source is its destination: out[i, j] = x[j, i], read with memref.load.
_GATHER_IN_PLACE = """
linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>],
    iterator_types = ["parallel", "parallel"]} outs(%x : memref<3x3xf32>) {
^bb0(%b: f32):
  %i = linalg.index 0 : index
  %j = linalg.index 1 : index
  %v = memref.load %x[%j, %i] : memref<3x3xf32>
  linalg.yield %v : f32
}"""


def test_a_transpose_written_into_its_own_input_is_a_race():
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    with pytest.raises(Exception, match=r"point \(1, 0\) reads through input 0 .* point "
                       r"\(0, 1\) wrote through output 0"):
        _run_in_place(_TRANSPOSE_IN_PLACE, "memref<3x3xf32>", 2, x)


def test_a_gather_written_into_its_source_is_a_race():
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    with pytest.raises(Exception, match="through a memref.load"):
        _run_in_place(_GATHER_IN_PLACE, "memref<3x3xf32>", 2, x)


def test_a_reduction_reading_its_output_elsewhere_is_a_race():
    x = np.array([1, 2, 3], dtype=np.float32)
    with pytest.raises(BufferRaceError):
        _run_in_place(_SUM_READS_OUTPUT_ELSEWHERE, "memref<3xf32>", 1, x)


def test_elementwise_in_place_is_legal():
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(_run_in_place(_DOUBLE_IN_PLACE, "memref<3x3xf32>", 2, x), 2 * x)


def test_a_reduction_into_its_own_input_runs_in_loop_order():
    x = np.array([1, 2, 3], dtype=np.float32)
    result = _run_in_place(_SUM_READS_ITS_OWN_ELEMENT, "memref<3xf32>", 1, x)
    np.testing.assert_array_equal(result, 8 * x)


def test_overlapping_arena_buffers_race():
    """Two planned allocs at one offset are one buffer: a transpose between them races."""
    text = """
func.func @main(%x: memref<2x2xf32>, %out: memref<2x2xf32>)
    attributes {litho.arena_size = 64 : i64, litho.outputs = 1 : i64} {
  %a = memref.alloc() {litho.offset = 0 : i64} : memref<2x2xf32>
  %b = memref.alloc() {litho.offset = 0 : i64} : memref<2x2xf32>
""" + _copy("%x", "%a", "memref<2x2xf32>", 2) + """
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>,
      affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<2x2xf32>) outs(%b : memref<2x2xf32>) {
  ^bb0(%p: f32, %q: f32):
    linalg.yield %p : f32
  }
""" + _copy("%b", "%out", "memref<2x2xf32>", 2) + "func.return\n}"
    module = Parser(litho_context(), text).parse_module()
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    with pytest.raises(BufferRaceError):
        run_function(module, [x])
    planned_apart = text.replace(
        "%b = memref.alloc() {litho.offset = 0", "%b = memref.alloc() {litho.offset = 32")
    result = run_function(Parser(litho_context(), planned_apart).parse_module(), [x])
    np.testing.assert_array_equal(result[0], x.T)


def _bufferize_into_dead_inputs(original):
    """Broken on purpose: a generic whose init is empty writes into the buffer of an input
    it is the last user of, when the types match: right for an elementwise generic, wrong
    for a transpose."""

    def bufferize_generic(self, op):
        original(self, op)
        generic = op.prev_op
        input_count = len(generic.inputs)
        for position, (init, output) in enumerate(
            zip(op.outputs, list(generic.outputs), strict=True)
        ):
            if not isinstance(init.owner, tensor.EmptyOp):
                continue
            reusable = [
                buffer
                for value, buffer in zip(op.inputs, generic.inputs, strict=True)
                if buffer.type == output.type and value.has_one_use()
                and isinstance(buffer.owner, memref.AllocOp)
            ]
            if reusable:
                operands = list(generic.operands)
                operands[input_count + position] = reusable[0]
                generic.operands = operands
                self.buffers[op.res[position]] = reusable[0]

    return bufferize_generic


def _check_bufferize(strategy) -> SemanticsCheckFailure:
    with pytest.raises(SemanticsCheckFailure, match="BufferRaceError") as failure:
        check_pass(LithoBufferizePass(), prepare="convert-litho-tensor-to-linalg",
                   program_strategy=strategy, max_examples=400)
    assert failure.value.repro is not None and failure.value.repro.exists()
    return failure.value


def test_bufferize_into_an_aliased_input_is_caught(tmp_path, monkeypatch):
    """The bufferize property test's programs catch it with a repro of at most 4 ops (an
    alias needs a producer and a transposing reader, each with its `tensor.empty`)."""
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))
    bufferizer = litho_bufferize._FunctionBufferizer
    monkeypatch.setattr(
        bufferizer, "bufferize_generic", _bufferize_into_dead_inputs(bufferizer.bufferize_generic)
    )
    failure = _check_bufferize(BUFFERIZE_PROGRAMS)
    op_count = re.search(r"Shrunk repro \((\d+) op\(s\)\)", str(failure))
    assert op_count and int(op_count.group(1)) <= 4, str(failure)
