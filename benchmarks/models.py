"""litho against torch eager on the model families of tests/models.py, side by side.

Prints, per family and shape: compile time, and median time per call of eager, litho's
`jit` and the ratio litho/eager (below 1 means litho is faster). Needs the test extra
(`pip install -e '.[test]'`) for `transformers`.

    python benchmarks/models.py            # every family
    python benchmarks/models.py gpt2 bert  # some
"""

from __future__ import annotations

import functools
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

from litho.compiler import jit  # noqa: E402
from litho.compiler.demo import median_seconds  # noqa: E402
from models import FAMILIES  # noqa: E402


def main(families: list[str]) -> None:
    print(f"{'family':<12} {'shape':<10} {'compile s':>9} {'eager ms':>9} {'litho ms':>9} "
          f"{'litho/eager':>11}")
    for family in families or sorted(FAMILIES):
        torch.manual_seed(0)
        model = FAMILIES[family].build().eval()
        fast = jit(model, strict=True)
        for batch, length in FAMILIES[family].shapes:
            inputs = FAMILIES[family].inputs(batch, length)
            start = time.perf_counter()
            fast(*inputs)
            compile_seconds = time.perf_counter() - start
            with torch.no_grad():
                eager = median_seconds(functools.partial(model, *inputs), repeats=20)
            litho = median_seconds(functools.partial(fast, *inputs), repeats=20)
            print(f"{family:<12} {f'{batch}x{length}':<10} {compile_seconds:9.2f} "
                  f"{eager * 1e3:9.2f} {litho * 1e3:9.2f} {litho / eager:11.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
