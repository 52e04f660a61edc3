"""Compilation options, in three frozen groups by what they change.

- `CodeOptions` change the generated code. They are hashable: with the input signature
  they key compiled code (the disk cache to come keys on them; nothing else may).
- `DebugOptions` show what the compiler does (IR dumps, pass times, verification); the
  code is the same under any of them.
- `Options` holds both groups, and what a compiled function does with what litho does
  not compile (`strict`, `max_specializations`).

`make_options(**fields)` takes the fields of every group by name, as `jit` does.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

from litho.compiler.errors import LithoError
from litho.compiler.targets import TARGETS

DUMP_IR_VARIABLE = "LITHO_DUMP_IR"


@dataclass(frozen=True)
class CodeOptions:
    """What the generated code is.

    - `target`: where the code runs; "cpu" (the host, through llvmlite) for now.
    - `freeze_weights`: compute what depends on the weights alone (a Linear's transposed
      weight) once, when compiling, instead of at every call. A weight replaced, given
      new data (`w.data = t`) or changed in place (`w.mul_(2)`) is seen at the next
      call; a change through another tensor sharing its memory (`w.data.mul_(2)`) is
      not. Off by default.
    - `pack_weights`: the same, for the weights that matmuls read alone (a Linear's
      transposed weight), so that the GEMM reads them as they are. On by default: it
      removes a copy of every Linear's weight per call; turn it off for a model whose
      weights change through other tensors that share their memory.
    - `autotune`: time candidate tiles for each matmul shape the model has (on the
      first compile on this machine, with a progress bar), keep the winners on disk
      ($LITHO_CACHE_DIR, else ~/.cache/litho) and compile with them. Off by default:
      without it, tiles come from the model of this CPU's caches.
    """

    target: str = "cpu"
    freeze_weights: bool = False
    pack_weights: bool = True
    autotune: bool = False

    def __post_init__(self) -> None:
        _check_bools(self, ("freeze_weights", "pack_weights", "autotune"))
        if self.target not in TARGETS:
            raise _bad_option("target", self.target, f"one of {tuple(TARGETS)}")


@dataclass(frozen=True)
class DebugOptions:
    """What the compiler shows while it works.

    - `dump_ir`: a folder to write the IR after every pass to (default: $LITHO_DUMP_IR).
    - `time_passes`: print each pass's and stage's time to stderr after each compile
      (`fast.last_compile.pass_times` always has them).
    - `verify`: verify the IR after every pass (on by default).
    """

    dump_ir: str | None = field(default_factory=lambda: os.environ.get(DUMP_IR_VARIABLE))
    time_passes: bool = False
    verify: bool = True

    def __post_init__(self) -> None:
        _check_bools(self, ("time_passes", "verify"))
        if isinstance(self.dump_ir, os.PathLike):
            object.__setattr__(self, "dump_ir", os.fspath(self.dump_ir))
        if self.dump_ir is not None and not isinstance(self.dump_ir, str):
            raise _bad_option("dump_ir", self.dump_ir, "a folder path (str) or None")


@dataclass(frozen=True)
class Options:
    """What `jit(model, **options)` accepts: `code` and `debug` options, and

    - `strict`: raise instead of running an op, or a shape past `max_specializations`,
      in torch eager.
    - `max_specializations`: how many input signatures (shapes and dtypes) to compile
      code for; later ones run in torch eager, with one warning.

    Each value is checked when its group is made, with a LithoError naming the option,
    the value and what it should be; `make_options` also checks that `dump_ir` can be
    written.
    """

    code: CodeOptions = field(default_factory=CodeOptions)
    debug: DebugOptions = field(default_factory=DebugOptions)
    strict: bool = False
    max_specializations: int = 8

    def __post_init__(self) -> None:
        _check_bools(self, ("strict",))
        count = self.max_specializations
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _bad_option("max_specializations", count, "an int of at least 1")


def _check_bools(options: object, names: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(getattr(options, name), bool):
            raise _bad_option(name, getattr(options, name), "True or False")


def _bad_option(name: str, value: object, expected: str) -> LithoError:
    return LithoError(
        f"option {name}={value!r} ({type(value).__name__}) is not valid: "
        f"it must be {expected}"
    )


def _names(group: type) -> set[str]:
    return {each.name for each in fields(group)}


def make_options(**options: object) -> Options:
    """Options from keyword arguments (the fields of every group), with a LithoError
    naming any bad one.

    Creates the `dump_ir` folder now, so that a folder that cannot be written fails here
    rather than after the first pass.
    """
    groups = {"code": _names(CodeOptions), "debug": _names(DebugOptions)}
    own = _names(Options) - set(groups)
    known = own.union(*groups.values())
    unknown = sorted(set(options) - known)
    if unknown:
        raise LithoError(f"unknown option(s) {unknown}; litho's options are {sorted(known)}")

    def given(names: set[str]) -> dict[str, object]:
        return {name: options[name] for name in names & set(options)}

    resolved = Options(
        CodeOptions(**given(groups["code"])),  # type: ignore[arg-type]
        DebugOptions(**given(groups["debug"])),  # type: ignore[arg-type]
        **given(own),  # type: ignore[arg-type]
    )
    if resolved.debug.dump_ir:
        source = "option dump_ir" if "dump_ir" in options else f"${DUMP_IR_VARIABLE}"
        prepare_dump_folder(resolved.debug.dump_ir, source)
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
