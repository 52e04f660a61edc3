"""Compilation options: a frozen, hashable dataclass that is part of every cache key."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from litho.compiler.errors import LithoError

TARGETS = ("cpu",)
DUMP_IR_VARIABLE = "LITHO_DUMP_IR"


@dataclass(frozen=True)
class Options:
    """What `jit(model, **options)` accepts.

    - `target`: where the code runs; "cpu" (the host, through llvmlite) for now.
    - `dump_ir`: a folder to write the IR after every pass to (default: $LITHO_DUMP_IR).
    - `time_passes`: print each pass's and stage's time to stderr after each compile
      (`fast.last_compile.pass_times` always has them).
    - `verify`: verify the IR after every pass (on by default).
    - `strict`: raise instead of running an op, or a shape past `max_specializations`,
      in torch eager.
    - `max_specializations`: how many input signatures (shapes and dtypes) to compile
      code for; later ones run in torch eager, with one warning.

    Each value is checked here, with a LithoError naming the option, the value and what
    it should be; `make_options` also checks that `dump_ir` can be written.
    """

    target: str = "cpu"
    dump_ir: str | None = field(default_factory=lambda: os.environ.get(DUMP_IR_VARIABLE))
    time_passes: bool = False
    verify: bool = True
    strict: bool = False
    max_specializations: int = 8

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise _bad_option("target", self.target, f"one of {TARGETS}")
        for name in ("time_passes", "verify", "strict"):
            if not isinstance(getattr(self, name), bool):
                raise _bad_option(name, getattr(self, name), "True or False")
        count = self.max_specializations
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _bad_option("max_specializations", count, "an int of at least 1")
        if isinstance(self.dump_ir, os.PathLike):
            object.__setattr__(self, "dump_ir", os.fspath(self.dump_ir))
        if self.dump_ir is not None and not isinstance(self.dump_ir, str):
            raise _bad_option("dump_ir", self.dump_ir, "a folder path (str) or None")


def _bad_option(name: str, value: object, expected: str) -> LithoError:
    return LithoError(
        f"option {name}={value!r} ({type(value).__name__}) is not valid: "
        f"it must be {expected}"
    )


def make_options(**options: object) -> Options:
    """Options from keyword arguments, with a LithoError naming any bad one.

    Creates the `dump_ir` folder now, so that a folder that cannot be written fails here
    rather than after the first pass.
    """
    known = set(Options.__dataclass_fields__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise LithoError(f"unknown option(s) {unknown}; litho's options are {sorted(known)}")
    resolved = Options(**options)  # type: ignore[arg-type]
    if resolved.dump_ir:
        source = "option dump_ir" if "dump_ir" in options else f"${DUMP_IR_VARIABLE}"
        prepare_dump_folder(resolved.dump_ir, source)
    return resolved


def prepare_dump_folder(folder: str, source: str) -> None:
    """Create `folder` and check that a file can be written in it, or raise a LithoError."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise LithoError(
            f"{source}={folder!r}: cannot create or write to this folder "
            f"({error.strerror or error}); give a writable folder for the IR dumps"
        ) from None
