"""The errors litho raises for problems a user can cause.

Every message names what is wrong and where (op, fx node, source line, argument) and,
where there is one, what to do about it.
"""

import os
import sys
import warnings
from pathlib import Path


class LithoError(Exception):
    """Base class of every error a litho user can hit."""


class UnsupportedOpsError(LithoError):
    """The captured graph holds ATen ops that litho cannot import."""


class InputMismatchError(LithoError):
    """A call's arguments do not fit what the compiled function was specialized for."""


class CaptureError(LithoError):
    """torch.export could not capture the model."""


class IndexOutOfBoundsError(LithoError, IndexError):
    """Compiled code was given an index (an embedding id, a gather index) out of range."""


class CompilationError(LithoError):
    """A stage of the pipeline failed on IR that should have compiled."""


class FallbackWarning(UserWarning):
    """Part of a model runs in torch eager instead of litho's code (op-level fallback)."""


_LITHO_FOLDERS = tuple(
    str(Path(__file__).parent.parent / folder) + os.sep
    for folder in ("compiler", "dialects", "lowering", "runtime")
)


def warn_at_user_code(message: str, category: type[Warning]) -> None:
    """Warn, attributing the warning to the innermost caller outside litho and torch."""
    frame = sys._getframe(1)
    level = 2  # stacklevel 1 is this function, 2 its caller
    while frame.f_back is not None and is_internal_file(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def is_internal_file(filename: str) -> bool:
    """Whether `filename` is litho's or torch's own code, not the user's."""
    return filename.startswith(_LITHO_FOLDERS) or f"{os.sep}torch{os.sep}" in filename
