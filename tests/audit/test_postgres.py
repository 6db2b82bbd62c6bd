"""The audit log on PostgreSQL: serialised concurrent appends, triggers, verification."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from industrybrain.kit.audit import Checkpoint
from industrybrain.modules.audit import service
from industrybrain.modules.audit.schemas import Actor

pytestmark = pytest.mark.postgres


def test_audit_log_on_postgres(pg_env: str) -> None:
    from industrybrain.migrations import upgrade
    from industrybrain.runtime import get_database

    upgrade(pg_env, "audit@head")
    db = get_database()
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(15):
                with db.session_scope() as session:
                    service.record(
                        session,
                        actor=Actor(f"worker-{worker}", worker, 1),
                        action="thing.update",
                        object_type="thing",
                        object_id=i,
                        change={"worker": worker, "i": i, "价格": 1.5, "nested": [None, True]},
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    with db.session_scope() as session:
        exported = Checkpoint.from_json(service.export_checkpoint(session).to_json())
    assert exported.head.size == 60
    with db.session_scope() as session:
        rows, total = service.list_entries(session, {}, 0, 100)
        assert total == 60 and sorted(r.seq for r in rows) == list(range(1, 61))
        report = service.verify(session, exported)
        assert report.ok, report

    for statement in (
        "UPDATE audit_entry SET actor_label = 'mallory' WHERE seq = 3",
        "DELETE FROM audit_entry WHERE seq = 3",
        "TRUNCATE audit_entry",
        "DELETE FROM audit_checkpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.session_scope() as session:
            session.execute(text(statement))

    # An attacker with DDL rights drops the trigger and forges entry 10 with fresh hashes.
    with db.session_scope() as session:
        session.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
        entry = next(r for r in service.list_entries(session, {"seq": 10})[0])
        entry_change = {**entry.change, "i": 999}
        session.execute(
            text("UPDATE audit_entry SET change = CAST(:c AS json) WHERE seq = 10"),
            {"c": json.dumps(entry_change)},
        )
        session.expire_all()
        forged = service.list_entries(session, {"seq": 10})[0][0]
        forged.change_hash = service.change_digest(forged.change)
        forged.leaf_hash = service.entry_leaf_hash(forged)
    with db.session_scope() as session:
        report = service.verify(session, exported)
    assert not report.ok and report.problem == "inconsistent"
