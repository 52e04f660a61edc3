"""The testing kit catches subtly broken rewrites and hands back a small repro."""

import os
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
    SemanticsCheckFailure,
    check_patterns,
    inputs_for,
    programs,
)
from litho.compiler.testing.compare import load_inputs
from litho.compiler.testing.reduce import reduce_program
from litho.dialects import tensor as lt
from litho.lowering import convert_litho_tensor_to_linalg as to_linalg
from xdsl.dialects import arith
from xdsl.ir.affine import AffineMap
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
    with pytest.raises(SemanticsCheckFailure) as failure:
        check_patterns([SubSwapsOperandsPattern()], tolerance=REASSOCIATE)
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
    with pytest.raises(SemanticsCheckFailure, match="never fired"):
        check_patterns([SubSwapsOperandsPattern()], program_strategy=programs(ops=("add",)))


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

    reduce_program(program, inputs, record)
    for candidate, candidate_inputs in seen:
        actual = run_function(candidate.to_module(), candidate_inputs)
        wanted = expected[-len(actual):]
        for want, got in zip(wanted, actual, strict=True):
            np.testing.assert_array_equal(want, got)
