"""The transformers model zoo (tests/zoo.py) against its status table.

`CI_FAMILIES` run on every test run; `LITHO_ZOO=all pytest tests/test_zoo.py` runs every
family (a few minutes). A family whose status changes fails, either way: a family that
starts to match eager must have its row updated, so the table stays exact.
"""

from __future__ import annotations

import os

import pytest
from zoo import CI_FAMILIES, ZOO, ZOO_STATUS, run_family

FAMILIES = sorted(ZOO) if os.environ.get("LITHO_ZOO") == "all" else list(CI_FAMILIES)


def test_status_table_covers_every_family():
    assert set(ZOO_STATUS) == set(ZOO)
    assert set(CI_FAMILIES) <= set(ZOO)


@pytest.mark.parametrize("family", FAMILIES)
def test_family_matches_its_status(family):
    assert run_family(family) == ZOO_STATUS[family]
