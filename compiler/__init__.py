"""litho's driver: `jit`, options, the frontend, stage pipelines, CLI and testing kit."""

from litho.compiler.driver import LithoFunction, jit
from litho.compiler.errors import FallbackWarning, LithoError
from litho.compiler.explanation import Explanation, explain
from litho.compiler.options import Options

__all__ = [
    "Explanation",
    "FallbackWarning",
    "LithoError",
    "LithoFunction",
    "Options",
    "explain",
    "jit",
]
