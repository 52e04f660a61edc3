"""Command-line entry points: `litho` (with `demo`) and `litho-opt`.

`litho-opt` is xDSL's `xdsl-opt` driver; litho's dialects, passes and the `litho-llvm`
target reach it (and plain `xdsl-opt`) through the `xdsl.universe` entry point.
"""

from __future__ import annotations

import argparse
import sys

from xdsl.xdsl_opt_main import xDSLOptMain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litho", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="compile a built-in model and compare with eager")
    demo.add_argument("--batch", type=int, default=8)
    demo.add_argument("--width", type=int, default=128)
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from litho.compiler.demo import run_demo

        run_demo(arguments.batch, arguments.width)
    return 0


def litho_opt_main() -> None:
    """`litho-opt file.mlir -p pass,pass`: parse, run passes, print (see --help)."""
    xDSLOptMain().run()


if __name__ == "__main__":
    sys.exit(main())
