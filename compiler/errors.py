"""The errors litho raises for problems a user can cause.

Every message names what is wrong and where (op, fx node, source line, argument) and,
where there is one, what to do about it.
"""


class LithoError(Exception):
    """Base class of every error a litho user can hit."""


class UnsupportedOpsError(LithoError):
    """The captured graph holds ATen ops that litho cannot import."""


class InputMismatchError(LithoError):
    """A call's arguments do not fit what the compiled function was specialized for."""


class CaptureError(LithoError):
    """torch.export could not capture the model."""


class CompilationError(LithoError):
    """A stage of the pipeline failed on IR that should have compiled."""


class FallbackWarning(UserWarning):
    """Part of a model runs in torch eager instead of litho's code (op-level fallback)."""
