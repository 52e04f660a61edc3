"""The layout's rules (docs/architecture.md): layers import downward only, every module
imports alone, `xdsl-opt`'s entry point never imports torch, no source file is too long."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = {"benchmarks": "litho.benchmarks", "compiler": "litho.compiler",
            "dialects": "litho.dialects", "lowering": "litho.lowering", "runtime": "litho.runtime"}
# what each layer may import from litho: itself, the layers below, and the leaf errors
ALLOWED = {
    "dialects": ("litho.dialects", "litho.compiler.errors"),
    "lowering": ("litho.lowering", "litho.dialects", "litho.compiler.errors"),
    "runtime": ("litho.runtime", "litho.compiler.errors"),
    "compiler": ("litho.",),
    "benchmarks": ("litho.",),
}
MAX_LINES = 600


def _sources() -> list[Path]:
    return sorted(path for folder in PACKAGES for path in (ROOT / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    folder, *rest = path.relative_to(ROOT).with_suffix("").parts
    parts = [PACKAGES[folder], *rest]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _litho_imports(path: Path) -> list[str]:
    """Every litho module `path` imports, at the top or inside a function."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in names if name.startswith("litho.")]


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_layers_import_downward_only(path):
    layer = path.relative_to(ROOT).parts[0]
    wrong = [name for name in _litho_imports(path) if not name.startswith(ALLOWED[layer])]
    assert not wrong, f"{layer} may import only {ALLOWED[layer]}, imports {wrong}"
    if layer == "lowering" and "targets" not in path.parts:
        targets = [name for name in _litho_imports(path) if ".targets" in name]
        assert not targets, f"a target-independent pass imports a target: {targets}"


def test_every_module_imports_alone():
    """Each module imported first, with no litho module loaded before it (third-party
    modules stay loaded, so this takes seconds): an import cycle fails here."""
    modules = [_module_name(path) for path in _sources()]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {modules!r}:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('litho.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {type(error).__name__}: {error}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]


def test_the_xdsl_universe_does_not_import_torch():
    script = (
        "import sys, litho.compiler.universe as u\n"
        "u.litho_context()\n"
        "sys.exit('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, "importing litho.compiler.universe imported torch"


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_source_file_is_over_600_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it by what its parts do"
