"""Compilation options: a frozen, hashable dataclass that is part of every cache key."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from litho.compiler.errors import LithoError

TARGETS = ("cpu",)


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
    """

    target: str = "cpu"
    dump_ir: str | None = field(default_factory=lambda: os.environ.get("LITHO_DUMP_IR"))
    time_passes: bool = False
    verify: bool = True
    strict: bool = False
    max_specializations: int = 8

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise LithoError(f"unknown target {self.target!r}; litho supports {TARGETS}")
        if self.max_specializations < 1:
            raise LithoError(
                f"max_specializations must be at least 1, got {self.max_specializations}"
            )


def make_options(**options: object) -> Options:
    """Options from keyword arguments, with a LithoError naming any unknown one."""
    known = set(Options.__dataclass_fields__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise LithoError(f"unknown option(s) {unknown}; litho's options are {sorted(known)}")
    return Options(**options)  # type: ignore[arg-type]
