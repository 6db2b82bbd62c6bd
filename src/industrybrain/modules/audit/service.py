"""The audit log: append entries, sign tree heads, verify the log against a checkpoint.

Services flush, never commit: :func:`record` appends inside the caller's transaction, so an
action and its audit entry commit or roll back together (see ``actions.do_action``).
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.config import get_settings
from industrybrain.kit.audit import (
    Checkpoint,
    KeyEndorsement,
    SigningKey,
    TreeHead,
    canonical_json,
    check_log,
    format_timestamp,
    load_or_create_signing_key,
    parse_timestamp,
    sha256_hex,
    sign_tree_head,
    trusted_keys,
)
from industrybrain.kit.db import utcnow
from industrybrain.kit.merkle import leaf_hash, prefix_roots, root_hash
from industrybrain.modules.audit import repository
from industrybrain.modules.audit.models import AuditCheckpoint, AuditEntry, AuditKey
from industrybrain.modules.audit.schemas import Actor, VerifyReport

LEAF_VERSION = 1

#: The id of the request (or job, or CLI run) being served; set by the web layer or a caller.
current_request_id: ContextVar[str | None] = ContextVar("audit_request_id", default=None)


class AuditIntegrityError(RuntimeError):
    """The log does not verify; the platform refuses to sign a head over it."""


# ---------------------------------------------------------------------------------------------
# Hashing of entries


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID | Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot record a {type(value).__name__} in an audit change")


def normalise_change(change: Any) -> Any:
    """The change as plain JSON (what is stored is exactly what is hashed)."""
    return json.loads(json.dumps(change, default=_jsonable, allow_nan=False))


def change_digest(change: Any) -> str:
    return sha256_hex(canonical_json(change))


def leaf_data(entry: AuditEntry) -> bytes:
    """The bytes of leaf ``entry.seq - 1``: every audited field, canonically serialised."""
    return canonical_json(
        {
            "v": LEAF_VERSION,
            "seq": entry.seq,
            "time": format_timestamp(entry.occurred_at),
            "actor_id": entry.actor_id,
            "actor_label": entry.actor_label,
            "organization_id": entry.organization_id,
            "brain_id": entry.brain_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "request_id": entry.request_id,
            "change_hash": entry.change_hash,
        }
    )


def entry_leaf_hash(entry: AuditEntry) -> str:
    return leaf_hash(leaf_data(entry)).hex()


# ---------------------------------------------------------------------------------------------
# Appending


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    change: Any,
    request_id: str | None = None,
    brain_id: int | None = None,
    organization_id: int | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (flushed, not committed).

    ``organization_id`` defaults to the actor's organisation.
    """
    repository.lock_for_append(session)
    stored_change = normalise_change(change)
    entry = AuditEntry(
        seq=repository.last_seq(session) + 1,
        occurred_at=utcnow(),
        actor_id=actor.id,
        actor_label=actor.label,
        organization_id=actor.organization_id if organization_id is None else organization_id,
        brain_id=brain_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        request_id=request_id or current_request_id.get() or uuid.uuid4().hex,
        change=stored_change,
        change_hash=change_digest(stored_change),
    )
    entry.leaf_hash = entry_leaf_hash(entry)
    return repository.add_entry(session, entry)


def list_entries(
    session: Session, filters: Mapping[str, Any], offset: int = 0, limit: int = 50
) -> tuple[Sequence[AuditEntry], int]:
    return repository.list_entries(session, filters, offset, limit)


def distinct_values(session: Session, column: str) -> list[str]:
    if column not in {"action", "object_type", "actor_label"}:
        raise ValueError(column)
    return repository.distinct_values(session, column)


# ---------------------------------------------------------------------------------------------
# Keys


def key_file() -> Path:
    settings = get_settings()
    return settings.audit_key_file or settings.data_dir / "audit_signing_key.pem"


def signing_key(session: Session) -> SigningKey:
    """The current signing key (created on first use) with its public half in ``audit_key``."""
    key = load_or_create_signing_key(key_file())
    if repository.get_key(session, key.key_id) is None:
        repository.add_key(
            session,
            AuditKey(
                key_id=key.key_id,
                public_key=base64.b64encode(key.public_key).decode("ascii"),
                created_at=utcnow(),
            ),
        )
    return key


def rotate_key(session: Session) -> SigningKey:
    """Replace the signing key; the old key endorses the new one (a key rotation record)."""
    old = signing_key(session)
    new = SigningKey.generate()
    endorsement = KeyEndorsement.create(old, new.public_key, utcnow())
    path = key_file()
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(new.to_pem())
    repository.add_key(
        session,
        AuditKey(
            key_id=new.key_id,
            public_key=base64.b64encode(new.public_key).decode("ascii"),
            created_at=endorsement.timestamp,
            endorsed_by=old.key_id,
            endorsement=json.dumps(
                {
                    "timestamp": format_timestamp(endorsement.timestamp),
                    "signature": base64.b64encode(endorsement.signature).decode("ascii"),
                }
            ),
        ),
    )
    # The old private key is gone once the new file is in place.
    os.replace(temporary, path)
    return new


def _keyring(session: Session, pinned: Mapping[str, bytes]) -> dict[str, bytes]:
    """Keys trusted for the checkpoints stored in the database: the pinned ones, the first key
    of the database, and every key endorsed through a valid rotation record from those."""
    roots = dict(pinned)
    endorsements: list[KeyEndorsement] = []
    for row in repository.keys(session):
        public_key = base64.b64decode(row.public_key)
        if row.endorsed_by is None:
            roots.setdefault(row.key_id, public_key)
        elif row.endorsement:
            record_data = json.loads(row.endorsement)
            endorsements.append(
                KeyEndorsement(
                    old_key_id=row.endorsed_by,
                    new_public_key=public_key,
                    timestamp=parse_timestamp(record_data["timestamp"]),
                    signature=base64.b64decode(record_data["signature"]),
                )
            )
    return trusted_keys(roots, endorsements)


# ---------------------------------------------------------------------------------------------
# Tree heads and checkpoints


def tree_head(session: Session) -> tuple[int, bytes]:
    """(size, root) of the log as stored."""
    leaves = [bytes.fromhex(h) for h in repository.leaf_hashes(session)]
    return len(leaves), root_hash(leaves)


def _stored_head(row: AuditCheckpoint) -> TreeHead:
    return TreeHead(
        size=row.size,
        root_hash=bytes.fromhex(row.root_hash),
        timestamp=row.signed_at,
        key_id=row.key_id,
        signature=base64.b64decode(row.signature),
    )


def checkpoint(session: Session) -> TreeHead:
    """Sign and store a tree head of the current log, after checking the log is intact."""
    key = signing_key(session)
    entries = repository.all_entries(session)
    leaves, problem, index, message = _check_rows(entries)
    if problem is not None:
        raise AuditIntegrityError(f"refusing to sign: {message} (index {index})")
    stored = _check_stored_checkpoints(session, leaves, {})
    if stored is not None:
        raise AuditIntegrityError(f"refusing to sign: {stored[1]}")
    head = sign_tree_head(key, len(leaves), root_hash(leaves), utcnow())
    repository.add_checkpoint(
        session,
        AuditCheckpoint(
            size=head.size,
            root_hash=head.root_hash.hex(),
            signed_at=head.timestamp,
            key_id=head.key_id,
            signature=base64.b64encode(head.signature).decode("ascii"),
        ),
    )
    return head


def export_checkpoint(session: Session) -> Checkpoint:
    """A fresh signed head with the public key that signed it pinned: keep it elsewhere."""
    head = checkpoint(session)
    key = signing_key(session)
    return Checkpoint(head=head, public_keys={key.key_id: key.public_key})


# ---------------------------------------------------------------------------------------------
# Verification


def _check_rows(
    entries: Sequence[AuditEntry],
) -> tuple[list[bytes], str | None, int | None, str]:
    """Recompute every leaf from the stored fields; the first row that disagrees is reported."""
    leaves: list[bytes] = []
    for index, entry in enumerate(entries):
        if entry.seq != index + 1:
            return (
                leaves,
                "gap",
                index,
                f"entry {index + 1} is missing (next stored entry is {entry.seq})",
            )
        if change_digest(entry.change) != entry.change_hash:
            return leaves, "change_mismatch", index, f"entry {entry.seq}: change was edited"
        recomputed = entry_leaf_hash(entry)
        if recomputed != entry.leaf_hash:
            return (
                leaves,
                "leaf_mismatch",
                index,
                f"entry {entry.seq} does not hash to its recorded leaf hash "
                "(edited, moved or inserted)",
            )
        leaves.append(bytes.fromhex(recomputed))
    return leaves, None, None, ""


def _check_stored_checkpoints(
    session: Session, leaves: Sequence[bytes], pinned: Mapping[str, bytes]
) -> tuple[int | None, str] | None:
    keyring = _keyring(session, pinned)
    rows = repository.checkpoints(session)
    roots = prefix_roots(leaves, [r.size for r in rows if r.size <= len(leaves)])
    for row in rows:
        head = _stored_head(row)
        if not head.verify(keyring):
            return None, f"stored checkpoint {row.id} has no valid signature by a trusted key"
        if head.size > len(leaves):
            return len(leaves), (
                f"stored checkpoint {row.id} covers {head.size} entries, the log has {len(leaves)}"
            )
        if roots[head.size] != head.root_hash:
            return None, (
                f"stored checkpoint {row.id} (size {head.size}) does not match the log's root"
            )
    return None


def verify(session: Session, exported: Checkpoint) -> VerifyReport:
    """Check the stored log against a checkpoint that was exported and kept elsewhere."""
    entries = repository.all_entries(session)
    head = exported.head

    def report(problem: str | None, index: int | None, message: str, root: bytes) -> VerifyReport:
        return VerifyReport(
            ok=problem is None,
            size=len(entries),
            checkpoint_size=head.size,
            root_hash=root.hex(),
            checkpoint_root_hash=head.root_hash.hex(),
            problem=problem,
            first_bad_index=index,
            message=message,
        )

    if not head.verify(exported.public_keys):
        return report(
            "bad_signature", None, "the checkpoint is not validly signed by a key it pins", b""
        )
    leaves, problem, index, message = _check_rows(entries)
    if problem is not None:
        return report(problem, index, message, b"")
    outcome = check_log(leaves, exported)
    if not outcome.ok:
        first_bad = len(leaves) if outcome.problem == "truncated" else None
        return report(outcome.problem, first_bad, outcome.message, outcome.root_hash)
    stored = _check_stored_checkpoints(session, leaves, exported.public_keys)
    if stored is not None:
        return report("stored_checkpoint", stored[0], stored[1], outcome.root_hash)
    return report(
        None,
        None,
        f"{len(leaves)} entries verified; consistent with the checkpoint of size {head.size}",
        outcome.root_hash,
    )


def verify_stored(session: Session) -> VerifyReport:
    """Verify against the newest checkpoint stored in the database (weaker: that checkpoint
    lives next to the log; only an exported checkpoint proves the history unchanged)."""
    row = repository.latest_checkpoint(session)
    keyring = _keyring(session, {})
    if row is None:
        size, root = tree_head(session)
        _leaves, problem, index, message = _check_rows(repository.all_entries(session))
        return VerifyReport(
            ok=problem is None,
            size=size,
            checkpoint_size=0,
            root_hash=root.hex(),
            checkpoint_root_hash="",
            problem=problem,
            first_bad_index=index,
            message=message or "no checkpoint yet; every entry hashes to its recorded leaf",
        )
    head = _stored_head(row)
    return verify(session, Checkpoint(head=head, public_keys=keyring))
