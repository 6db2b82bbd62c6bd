"""Acceptance: 8 kinds of tampering × 100 random trials, every one detected by ``verify``
against an exported checkpoint; an untampered log never raises an alarm.

The attacker here has full write access to the database (he drops the append-only triggers
first) and, for the last kind, the platform's signing key too. Each trial tampers inside a
transaction, verifies in that same transaction, and rolls back, so one log serves 100 trials.
Tampering always touches an entry covered by the exported checkpoint: entries appended after
the newest export are, by design, only protected by the next export.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from industrybrain.kit.audit import Checkpoint, load_or_create_signing_key, sign_tree_head
from industrybrain.kit.db import Database, utcnow
from industrybrain.kit.merkle import root_hash
from industrybrain.modules.audit import service
from industrybrain.modules.audit.models import AuditCheckpoint, AuditEntry
from industrybrain.modules.audit.schemas import Actor

TRIALS = 100
LOG_SIZE = 40
ENTRY = AuditEntry.__table__
CHECKPOINT = AuditCheckpoint.__table__
CONTENT_COLUMNS = [c.name for c in ENTRY.columns if c.name != "seq"]
ACTIONS = ["order.create", "order.close", "product.update", "member.add", "price.set"]
ACTORS = [Actor("alice", 1, 10), Actor("bob", 2, 10), Actor("张三", 3, 11), Actor("system")]


def _random_change(rng: random.Random) -> dict[str, Any]:
    return {
        "field": rng.choice(["price", "name", "status", "数量"]),
        "before": rng.choice([None, rng.randint(0, 999), rng.random(), "旧值"]),
        "after": rng.choice([rng.randint(0, 999), round(rng.random(), 6), "新值", [1, "a"]]),
        "note": "".join(rng.choice("abc泵阀") for _ in range(rng.randint(0, 6))),
    }


class Log:
    """A log of LOG_SIZE random entries and checkpoints exported at several sizes."""

    def __init__(self, db: Database, seed: int) -> None:
        self.db = db
        rng = random.Random(seed)
        export_at = {*rng.sample(range(3, LOG_SIZE), 3), LOG_SIZE}
        self.exported: list[Checkpoint] = []
        for seq in range(1, LOG_SIZE + 1):
            with db.session_scope() as session:
                service.record(
                    session,
                    actor=rng.choice(ACTORS),
                    action=rng.choice(ACTIONS),
                    object_type=rng.choice(["order", "product", "member"]),
                    object_id=rng.randint(1, 500),
                    change=_random_change(rng),
                    request_id=f"req-{rng.getrandbits(48):012x}",
                )
                if seq in export_at:
                    # Exported as a file and read back, as `audit checkpoint --out` does.
                    text_form = service.export_checkpoint(session).to_json()
                    self.exported.append(Checkpoint.from_json(text_form))

    @property
    def size(self) -> int:
        return LOG_SIZE

    def trial(self) -> Iterator[Session]:
        session = self.db.sessionmaker()
        try:
            for table in ("audit_entry", "audit_checkpoint"):
                for verb in ("update", "delete"):
                    session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
            yield session
        finally:
            session.rollback()
            session.close()


def _row(session: Session, seq: int) -> dict[str, Any]:
    return dict(session.execute(select(ENTRY).where(ENTRY.c.seq == seq)).mappings().one())


def _rehash(values: dict[str, Any]) -> dict[str, Any]:
    """What a careful forger does: recompute the change hash and the leaf hash."""
    entry = AuditEntry(**values)
    entry.change = service.normalise_change(entry.change)
    entry.change_hash = service.change_digest(entry.change)
    entry.leaf_hash = service.entry_leaf_hash(entry)
    return {
        **values,
        "change": entry.change,
        "change_hash": entry.change_hash,
        "leaf_hash": entry.leaf_hash,
    }


def _shift(session: Session, from_seq: int, by: int) -> None:
    # Two steps (through negative numbers) so the primary key never collides mid-statement.
    session.execute(update(ENTRY).where(ENTRY.c.seq >= from_seq).values(seq=-ENTRY.c.seq - by))
    session.execute(update(ENTRY).where(ENTRY.c.seq < 0).values(seq=-ENTRY.c.seq))


def _edit_value(rng: random.Random, row: dict[str, Any]) -> dict[str, Any]:
    column = rng.choice(
        [
            "change",
            "actor_label",
            "occurred_at",
            "actor_id",
            "organization_id",
            "action",
            "object_id",
            "request_id",
        ]
    )
    old = row[column]
    if column == "change":
        new: Any = {**old, "after": "tampered"} if rng.random() < 0.5 else _random_change(rng)
    elif column == "occurred_at":
        new = old + timedelta(microseconds=rng.choice([-1, 1, 1000, -3_600_000_000]))
    elif column in ("actor_id", "organization_id"):
        new = (old or 0) + rng.randint(1, 5)
    else:
        new = old + rng.choice(["x", " ", "-forged"])
    if new == old:
        new = {"forced": True} if column == "change" else new
    return {column: new}


# The tampering kinds: each takes (session, rng, log, checkpoint) and returns the 0-based index
# of the first entry it damaged (every index is below the checkpoint's size).
def tamper_edit(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    index = rng.randrange(cp.head.size)
    row = _row(session, index + 1)
    session.execute(update(ENTRY).where(ENTRY.c.seq == index + 1).values(**_edit_value(rng, row)))
    return index


def tamper_delete(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    index = rng.randrange(cp.head.size)
    session.execute(delete(ENTRY).where(ENTRY.c.seq == index + 1))
    if rng.random() < 0.5:
        _shift(session, index + 2, -1)  # close the gap too
    return index


def tamper_reorder(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    first = rng.randrange(cp.head.size)
    second = rng.choice([i for i in range(log.size) if i != first])
    a, b = sorted((first, second))
    if rng.random() < 0.5:
        # Swap whole rows (hashes move with their rows).
        session.execute(update(ENTRY).where(ENTRY.c.seq == a + 1).values(seq=-1))
        session.execute(update(ENTRY).where(ENTRY.c.seq == b + 1).values(seq=a + 1))
        session.execute(update(ENTRY).where(ENTRY.c.seq == -1).values(seq=b + 1))
    else:
        # Swap the contents and recompute both leaf hashes for their new places.
        row_a, row_b = _row(session, a + 1), _row(session, b + 1)
        for seq, row in ((a + 1, row_b), (b + 1, row_a)):
            values = _rehash({**row, "seq": seq})
            session.execute(update(ENTRY).where(ENTRY.c.seq == seq).values(**values))
    return a


def tamper_insert(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    index = rng.randrange(cp.head.size)
    template = _row(session, rng.randint(1, log.size))
    _shift(session, index + 1, 1)
    forged = {**template, "seq": index + 1, "change": _random_change(rng)}
    if rng.random() < 0.5:
        forged = _rehash(forged)
    session.execute(insert(ENTRY).values(**forged))
    return index


def tamper_forge(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    index = rng.randrange(cp.head.size)
    row = _row(session, index + 1)
    forged = _rehash({**row, **_edit_value(rng, row)})
    session.execute(update(ENTRY).where(ENTRY.c.seq == index + 1).values(**forged))
    return index


def tamper_truncate(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    keep = rng.randrange(cp.head.size)
    session.execute(delete(ENTRY).where(ENTRY.c.seq > keep))
    # Also drop the stored checkpoints that would betray the missing entries.
    session.execute(delete(CHECKPOINT).where(CHECKPOINT.c.size > keep))
    return keep


def _rewrite_from(session: Session, rng: random.Random, index: int, size: int) -> None:
    """Rewrite entry ``index`` and every later one, each with correctly recomputed hashes."""
    rows = session.execute(
        select(ENTRY).where(ENTRY.c.seq > index).order_by(ENTRY.c.seq)
    ).mappings()
    rewritten = []
    for row in rows:
        if row["seq"] == index + 1:
            changed = _edit_value(rng, dict(row))
        else:
            changed = {"occurred_at": row["occurred_at"] + timedelta(seconds=rng.randint(0, 3))}
        values = _rehash({**row, **changed})
        rewritten.append({**values, "old_seq": values["seq"]})
    session.execute(
        update(ENTRY)
        .where(ENTRY.c.seq == bindparam("old_seq"))
        .values({name: bindparam(name) for name in CONTENT_COLUMNS}),
        rewritten,
    )


def tamper_rechain(session: Session, rng: random.Random, log: Log, cp: Checkpoint) -> int:
    index = rng.randrange(cp.head.size)
    _rewrite_from(session, rng, index, log.size)
    session.execute(delete(CHECKPOINT))  # the forger cannot re-sign, so he hides the old ones
    return index


def tamper_resign_with_stolen_key(
    session: Session, rng: random.Random, log: Log, cp: Checkpoint
) -> int:
    index = rng.randrange(cp.head.size)
    _rewrite_from(session, rng, index, log.size)
    stolen = load_or_create_signing_key(service.key_file())
    old_sizes = [r.size for r in session.execute(select(CHECKPOINT.c.size)).all()]
    session.execute(delete(CHECKPOINT))
    leaves = [
        bytes.fromhex(h) for h in session.scalars(select(ENTRY.c.leaf_hash).order_by(ENTRY.c.seq))
    ]
    for size in old_sizes:
        head = sign_tree_head(stolen, size, root_hash(leaves[:size]), utcnow())
        session.execute(
            insert(CHECKPOINT).values(
                size=head.size,
                root_hash=head.root_hash.hex(),
                signed_at=head.timestamp,
                key_id=head.key_id,
                signature=base64.b64encode(head.signature).decode(),
            )
        )
    # Everything inside the database is now perfectly self-consistent and validly signed...
    assert service.verify_stored(session).ok
    return index


TAMPERING: dict[str, tuple[Callable[..., int], set[str]]] = {
    "edit": (tamper_edit, {"change_mismatch", "leaf_mismatch"}),
    "delete": (tamper_delete, {"gap", "leaf_mismatch", "truncated"}),
    "reorder": (tamper_reorder, {"leaf_mismatch", "inconsistent"}),
    "insert": (tamper_insert, {"change_mismatch", "leaf_mismatch", "inconsistent"}),
    "forge": (tamper_forge, {"inconsistent"}),
    "truncate_tail": (tamper_truncate, {"truncated"}),
    "rechain": (tamper_rechain, {"inconsistent"}),
    "resign_with_stolen_key": (tamper_resign_with_stolen_key, {"inconsistent"}),
}


@pytest.fixture
def log(audit_db: Database, request: pytest.FixtureRequest) -> Log:
    return Log(audit_db, seed=hash(request.node.name) & 0xFFFF)


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_every_tampering_is_detected(log: Log, kind: str) -> None:
    tamper, expected_problems = TAMPERING[kind]
    rng = random.Random(f"audit-{kind}")
    detected = 0
    for _ in range(TRIALS):
        checkpoint = rng.choice(log.exported)
        for session in log.trial():
            index = tamper(session, rng, log, checkpoint)
            report = service.verify(session, checkpoint)
            assert not report.ok, f"{kind} at {index} not detected: {report}"
            assert report.problem in expected_problems, report
            if report.first_bad_index is not None and kind != "truncate_tail":
                assert report.first_bad_index <= index + 1
            detected += 1
    assert detected == TRIALS


def test_untampered_log_raises_no_alarm(log: Log) -> None:
    rng = random.Random("audit-control")
    for _ in range(TRIALS):
        checkpoint = rng.choice(log.exported)
        for session in log.trial():
            report = service.verify(session, checkpoint)
            assert report.ok, report
            assert report.size == LOG_SIZE
    # And the trials really rolled back: the log is intact afterwards.
    with log.db.session_scope() as session:
        assert service.verify(session, log.exported[-1]).ok
