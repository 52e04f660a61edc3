"""litho's driver: `jit`, options, the frontend, stage pipelines, CLI and testing kit."""

from litho.compiler.driver import LithoFunction, jit
from litho.compiler.errors import LithoError
from litho.compiler.options import Options

__all__ = ["LithoError", "LithoFunction", "Options", "jit"]
