"""litho's driver: `jit`, options, the frontend, stage pipelines, CLI and testing kit.

The public names resolve on first use (PEP 562), so importing a leaf such as
`litho.compiler.errors` (as dialects and passes do) does not import the driver and torch.
"""

from importlib import import_module
from typing import Any

_PUBLIC = {
    "Explanation": "litho.compiler.explanation",
    "FallbackWarning": "litho.compiler.errors",
    "LithoError": "litho.compiler.errors",
    "LithoFunction": "litho.compiler.driver",
    "Options": "litho.compiler.options",
    "explain": "litho.compiler.explanation",
    "jit": "litho.compiler.driver",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'litho.compiler' has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)
