"""Who acts, what the API returns, and the verification report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Actor:
    """Who performs an action. Plain ids until identity and tenancy own these concepts."""

    label: str
    id: int | None = None
    organization_id: int | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    organization_id: int | None
    brain_id: int | None
    action: str
    object_type: str
    object_id: str
    request_id: str
    change: Any
    change_hash: str
    leaf_hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int


class TreeHeadOut(BaseModel):
    size: int
    root_hash: str


class VerifyReport(BaseModel):
    """The outcome of ``audit verify``.

    ``problem`` names the first thing found wrong: ``bad_signature`` (the checkpoint is not
    signed by a key it pins), ``gap`` (an entry is missing: deleted, or a sequence number was
    shifted), ``change_mismatch`` / ``leaf_mismatch`` (a stored row no longer hashes to its
    recorded hash: edited, swapped, inserted), ``truncated`` (fewer entries than the checkpoint),
    ``inconsistent`` (the rows hash consistently but not to the checkpoint's root: a forged or
    rewritten history), ``stored_checkpoint`` (a checkpoint kept in the database disagrees
    with the log or its signature is invalid). ``first_bad_index`` is the 0-based leaf index
    where it is known.
    """

    ok: bool
    size: int
    checkpoint_size: int
    root_hash: str
    checkpoint_root_hash: str
    problem: str | None = None
    first_bad_index: int | None = None
    message: str
