"""Differential fuzzing: `jit` of generated torch modules against torch eager.

CI runs 500 cases with a fixed seed; `litho fuzz --cases N` runs a longer campaign with
a random seed (see the README).
"""

import pytest
import torch
from litho.compiler.testing.fuzz import FuzzMismatch, compare_with_eager, fuzz_jit
from litho.compiler.testing.program import Argument, Node, Program, ValueSpec
from litho.compiler.testing.strategies import ALL_DTYPES
from litho.dialects import tensor as lt
from litho.lowering.graph import convert_litho_tensor_to_linalg as to_linalg
from xdsl.dialects import arith

CI_CASES = 500


def test_jit_matches_eager_on_generated_programs():
    report = fuzz_jit(cases=CI_CASES, random_seed=0)
    print(report.summary())
    assert report.cases >= CI_CASES
    for dtype in ALL_DTYPES:  # f32, f64, i32, i64 and bool, each in many cases
        assert report.dtypes[dtype] >= CI_CASES // 10, report.summary()


def test_fuzzer_reports_a_wrong_answer(monkeypatch, tmp_path):
    """A compiler that gets `sub` wrong is caught, with a reduced repro on disk."""
    monkeypatch.setenv("LITHO_REPRO_DIR", str(tmp_path))
    monkeypatch.setitem(to_linalg._FLOAT_BINARY, lt.SubOp, arith.AddfOp)
    with pytest.raises(FuzzMismatch, match="jit disagrees with torch eager") as failure:
        fuzz_jit(cases=50, random_seed=0, max_ops=4)
    assert "Reproduce: python" in str(failure.value)
    assert list(tmp_path.glob("*.py")) and list(tmp_path.glob("*.mlir"))


def test_compare_with_eager_uses_the_fp64_rule_for_contractions():
    x = ValueSpec((4, 8), "f32")
    program = Program(
        (Argument(x), Argument(ValueSpec((8, 4), "f32"))),
        (Node("matmul", (0, 1), ValueSpec((4, 4), "f32")),),
        (2,),
    )
    inputs = [torch.randn(4, 8).numpy(), torch.randn(8, 4).numpy()]
    assert compare_with_eager(program, inputs) is None
