"""The strict tenancy guard for the whole test suite: any statement on a tenant-owned table
without a tenant scope (or an explicit ``unscoped("why")``) raises ``TenantScopeError``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from industrybrain.kit import tenancy


@pytest.fixture(scope="session", autouse=True)
def strict_tenancy_guard() -> Iterator[None]:
    tenancy.install()
    previous = tenancy.set_strict(True)
    yield
    tenancy.set_strict(previous)
