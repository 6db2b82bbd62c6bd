"""Fixtures of the brain registry tests: the identity tests' app and world of organisations."""

from __future__ import annotations

# ``tests/identity`` is the package ``identity`` on pytest's path (rootdir-relative packages).
from identity.conftest import client, world  # noqa: F401
