"""What "preserves semantics" means for a pass: the tolerance it declares.

A pass states how far its output may drift from its input when both run in the reference
interpreter. `litho.compiler.testing` checks every pass against the tolerance it declares.

| tolerance     | the pass may                                   | compared with                 |
| ------------- | ---------------------------------------------- | ----------------------------- |
| `EXACT`       | only restructure (results are bitwise equal)   | equality, NaN equal to NaN    |
| `REASSOCIATE` | reorder floating-point sums and products       | rtol 1e-5, atol 1e-6          |
| `quantizing`  | round values to a coarser grid (int8, low rank) | SQNR at least the given dB   |

```python
@dataclass(frozen=True)
class MyPass(ModulePass):
    name = "my-pass"
    tolerance: ClassVar[Tolerance] = REASSOCIATE
```

A pass that declares nothing is held to `EXACT`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    """How results before and after a rewrite may differ."""

    kind: str
    rtol: float = 0.0
    atol: float = 0.0
    min_sqnr_db: float = 0.0

    def describe(self) -> str:
        if self.kind == "quantizing":
            return f"quantizing (SQNR >= {self.min_sqnr_db} dB)"
        if self.kind == "reassociate":
            return f"reassociating floating point (rtol {self.rtol}, atol {self.atol})"
        return "exact"


EXACT = Tolerance("exact")
REASSOCIATE = Tolerance("reassociate", rtol=1e-5, atol=1e-6)


def quantizing(min_sqnr_db: float) -> Tolerance:
    """The tolerance of a pass that rounds values: signal-to-noise ratio of at least this."""
    return Tolerance("quantizing", min_sqnr_db=min_sqnr_db)


def loosest(tolerances: list[Tolerance]) -> Tolerance:
    """The tolerance a pipeline of passes with these tolerances is held to."""
    order = {"exact": 0, "reassociate": 1, "quantizing": 2}
    return max(tolerances, key=lambda tolerance: order[tolerance.kind], default=EXACT)
