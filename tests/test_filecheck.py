"""Runs the lit + filecheck tests in tests/filecheck as part of pytest."""

import os
import subprocess
import sys
from pathlib import Path

FILECHECK_TESTS = Path(__file__).parent / "filecheck"


def test_filecheck_suite_passes():
    scripts = str(Path(sys.executable).parent)
    environment = {**os.environ, "PATH": scripts + os.pathsep + os.environ["PATH"]}
    result = subprocess.run(
        [os.path.join(scripts, "lit"), "-v", str(FILECHECK_TESTS)],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Failed" not in result.stdout
