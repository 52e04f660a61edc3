"""Verifier robustness: generated malformed IR is rejected with a message, never a crash."""

import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from litho.compiler.testing.malformed import MalformedIR, malformed_ir, parse_and_verify
from xdsl.utils.exceptions import DiagnosticException, ParseError

OUTCOMES: dict[str, int] = {}


@settings(max_examples=400, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(malformed_ir())
def test_malformed_ir_is_rejected_with_a_message(case: MalformedIR):
    try:
        parse_and_verify(case.text)
    except (ParseError, DiagnosticException) as error:
        assert str(error).strip(), f"empty message for {case.mutation}"
        OUTCOMES[case.mutation] = OUTCOMES.get(case.mutation, 0) + 1


def test_malformed_cases_were_rejected():
    """Most mutations must make IR invalid, so the property above was exercised."""
    assert sum(OUTCOMES.values()) >= 200, OUTCOMES
    assert len(OUTCOMES) == 7, OUTCOMES


def test_litho_opt_reports_invalid_ir_without_a_traceback(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text(
        "func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {\n"
        "  %y = litho_tensor.permute %x {dims = array<i64: 0, 0>} "
        ": tensor<2x3xf32> -> tensor<3x2xf32>\n"
        "  func.return %y : tensor<3x2xf32>\n}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "from litho.compiler.cli import litho_opt_main; litho_opt_main()",
         str(path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "are not a permutation" in result.stderr
