"""Compiled code per input signature: the one cache `jit` and the torch.compile backend share.

A signature (shapes, dtypes, non-tensor values, training modes) maps to its compiled
specialization. One thread compiles a signature while the others wait for it; past
`limit` signatures nothing new is compiled (the caller runs torch eager). An entry that
no longer fits a call (a parameter replaced by one of another shape) is recompiled in
place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

Compiled = TypeVar("Compiled")


class Specializations(Generic[Compiled]):
    def __init__(self, limit: int):
        self.limit = limit
        self.table: dict[Hashable, Compiled] = {}
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.table)

    def values(self) -> Iterable[Compiled]:
        return self.table.values()

    def get(self, signature: Hashable) -> Compiled | None:
        return self.table.get(signature)

    def get_or_compile(
        self,
        signature: Hashable,
        compile: Callable[[], Compiled],
        fits: Callable[[Compiled], bool] = lambda compiled: True,
    ) -> Compiled | None:
        """The entry for `signature`, compiled now if it is missing or does not `fit`;
        None when it is missing and `limit` signatures are compiled already."""
        with self.lock:
            compiled = self.table.get(signature)
            if compiled is not None and fits(compiled):
                return compiled
            if compiled is None and len(self.table) >= self.limit:
                return None
            compiled = compile()
            self.table[signature] = compiled
            return compiled
