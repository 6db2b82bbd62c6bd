"""The audit service: append, checkpoint, verify, keys, append-only triggers, do_action."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from industrybrain.kit.audit import Checkpoint
from industrybrain.kit.db import Database
from industrybrain.kit.merkle import inclusion_proof, root_hash, verify_inclusion
from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.audit import service
from industrybrain.modules.audit.actions import ActionScope, Outcome, do_action
from industrybrain.modules.audit.schemas import Actor

ALICE = Actor(label="alice", id=7, organization_id=3)


def _append(db: Database, n: int) -> None:
    with db.session_scope() as session:
        for i in range(n):
            service.record(
                session,
                actor=ALICE,
                action="thing.update",
                object_type="thing",
                object_id=i,
                change={"name": ["old", f"新{i}"], "price": i / 3},
                request_id=f"req-{i}",
            )


def test_record_assigns_gap_free_seq_and_hashes(audit_db: Database) -> None:
    _append(audit_db, 5)
    with audit_db.session_scope() as session:
        rows, total = service.list_entries(session, {}, 0, 10)
        assert total == 5
        assert [r.seq for r in rows] == [5, 4, 3, 2, 1]
        assert rows[-1].organization_id == 3 and rows[-1].actor_id == 7
        assert rows[-1].occurred_at.tzinfo is not None
        for row in rows:
            assert row.leaf_hash == service.entry_leaf_hash(row)
        size, root = service.tree_head(session)
        leaves = [bytes.fromhex(r.leaf_hash) for r in reversed(rows)]
        assert (size, root) == (5, root_hash(leaves))
        # Every entry is provably in the tree.
        for index, leaf in enumerate(leaves):
            assert verify_inclusion(leaf, index, size, inclusion_proof(leaves, index), root)


def test_filters(audit_db: Database) -> None:
    _append(audit_db, 3)
    with audit_db.session_scope() as session:
        service.record(
            session,
            actor=Actor(label="bob"),
            action="order.close",
            object_type="order",
            object_id="9",
            change={},
        )
        assert service.list_entries(session, {"action": "order.close"})[1] == 1
        assert service.list_entries(session, {"object_type": "thing"})[1] == 3
        assert service.list_entries(session, {"actor": "7"})[1] == 3
        assert service.list_entries(session, {"actor": "bob"})[1] == 1
        assert service.list_entries(session, {"organization_id": 3})[1] == 3


def test_untampered_log_verifies(audit_db: Database) -> None:
    _append(audit_db, 4)
    with audit_db.session_scope() as session:
        exported = service.export_checkpoint(session)
    _append(audit_db, 3)  # growth after the export is fine
    with audit_db.session_scope() as session:
        service.checkpoint(session)
        report = service.verify(session, Checkpoint.from_json(exported.to_json()))
    assert report.ok, report
    assert (report.size, report.checkpoint_size) == (7, 4)


def test_append_only_triggers_refuse_update_and_delete(audit_db: Database) -> None:
    _append(audit_db, 2)
    with audit_db.session_scope() as session:
        service.checkpoint(session)
    for statement in (
        "UPDATE audit_entry SET actor_label = 'mallory'",
        "DELETE FROM audit_entry WHERE seq = 1",
        "UPDATE audit_checkpoint SET size = 0",
        "DELETE FROM audit_checkpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only"), audit_db.session_scope() as s:
            s.execute(text(statement))
    with audit_db.session_scope() as session:
        assert service.tree_head(session)[0] == 2


def test_forged_checkpoint_signature_is_refused(audit_db: Database) -> None:
    _append(audit_db, 3)
    with audit_db.session_scope() as session:
        data = json.loads(service.export_checkpoint(session).to_json())
    data["size"] = 2  # a different statement under the old signature
    with audit_db.session_scope() as session:
        report = service.verify(session, Checkpoint.from_json(json.dumps(data)))
    assert not report.ok and report.problem == "bad_signature"


def test_checkpoint_pinned_to_an_unknown_key_is_refused(audit_db: Database) -> None:
    from industrybrain.kit.audit import SigningKey, sign_tree_head
    from industrybrain.kit.db import utcnow

    _append(audit_db, 3)
    with audit_db.session_scope() as session:
        exported = service.export_checkpoint(session)
    stranger = SigningKey.generate()
    head = sign_tree_head(stranger, 3, exported.head.root_hash, utcnow())
    forged = Checkpoint(head=head, public_keys=exported.public_keys)
    with audit_db.session_scope() as session:
        assert service.verify(session, forged).problem == "bad_signature"


def test_key_file_created_once_with_private_mode(audit_db: Database, ib_env: Path) -> None:
    with audit_db.session_scope() as session:
        first = service.signing_key(session)
        again = service.signing_key(session)
    path = ib_env / "audit_signing_key.pem"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert first.key_id == again.key_id


def test_audit_key_file_setting(
    audit_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from industrybrain.config import reset_settings

    target = tmp_path / "keys" / "audit.pem"
    monkeypatch.setenv("IB_AUDIT_KEY_FILE", str(target))
    reset_settings()
    with audit_db.session_scope() as session:
        service.signing_key(session)
    assert target.exists()


def test_key_rotation_keeps_old_checkpoints_verifiable(audit_db: Database) -> None:
    _append(audit_db, 3)
    with audit_db.session_scope() as session:
        old_export = service.export_checkpoint(session)
        new_key = service.rotate_key(session)
    assert new_key.key_id != old_export.head.key_id
    _append(audit_db, 2)
    with audit_db.session_scope() as session:
        new_export = service.export_checkpoint(session)
        assert new_export.head.key_id == new_key.key_id
        assert service.verify(session, old_export).ok
        assert service.verify(session, new_export).ok
        assert service.verify_stored(session).ok


def test_checkpoint_refuses_to_sign_a_tampered_log(audit_db: Database) -> None:
    _append(audit_db, 3)
    with audit_db.session_scope() as session:
        session.execute(text("DROP TRIGGER audit_entry_no_update"))
        session.execute(text("UPDATE audit_entry SET actor_label = 'mallory' WHERE seq = 2"))
    with pytest.raises(service.AuditIntegrityError), audit_db.session_scope() as session:
        service.checkpoint(session)


# do_action ------------------------------------------------------------------------------------


def test_do_action_records_and_notifies_after_commit(audit_db: Database) -> None:
    seen: list[str] = []

    def work(scope: ActionScope) -> Outcome[int]:
        scope.after_commit(lambda: seen.append("committed"))
        assert seen == []
        return Outcome(42, object_id=42, change={"status": ["open", "closed"]})

    value = do_action("order.close", "order", work, actor=ALICE, database=audit_db)
    assert value == 42 and seen == ["committed"]
    with audit_db.session_scope() as session:
        rows, total = service.list_entries(session, {})
        assert total == 1
        assert (rows[0].action, rows[0].object_id, rows[0].actor_label) == (
            "order.close",
            "42",
            "alice",
        )


def test_failing_action_leaves_no_audit_row_and_no_callback(audit_db: Database) -> None:
    seen: list[str] = []

    def work(scope: ActionScope) -> Outcome[None]:
        scope.after_commit(lambda: seen.append("committed"))
        scope.session.execute(text("CREATE TABLE IF NOT EXISTS side (x INTEGER)"))
        scope.session.execute(text("INSERT INTO side VALUES (1)"))
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        do_action("thing.break", "thing", work, actor=ALICE, database=audit_db)
    assert seen == []
    with audit_db.session_scope() as session:
        assert service.list_entries(session, {})[1] == 0
        assert session.execute(text("SELECT name FROM sqlite_master WHERE name='side'")).all() == []


def test_failing_commit_runs_no_callback(audit_db: Database) -> None:
    seen: list[str] = []

    def work(scope: ActionScope) -> Outcome[None]:
        scope.after_commit(lambda: seen.append("committed"))
        # Deferred failure: the foreign-key check fails only at COMMIT.
        scope.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        scope.session.execute(text("CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY)"))
        scope.session.execute(
            text(
                "CREATE TABLE IF NOT EXISTS child (id INTEGER PRIMARY KEY, "
                "parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
        scope.session.execute(text("INSERT INTO child VALUES (1, 99)"))
        return Outcome(None, object_id=1)

    with pytest.raises(DatabaseError):
        do_action("thing.break", "thing", work, actor=ALICE, database=audit_db)
    assert seen == []
    with audit_db.session_scope() as session:
        assert service.list_entries(session, {})[1] == 0


def test_nested_action_failure_keeps_the_outer_work(audit_db: Database) -> None:
    seen: list[str] = []

    def good(scope: ActionScope) -> Outcome[int]:
        scope.after_commit(lambda: seen.append("good"))
        return Outcome(1, object_id=1)

    def bad(scope: ActionScope) -> Outcome[int]:
        scope.after_commit(lambda: seen.append("bad"))
        raise RuntimeError("no")

    with audit_db.session_scope() as session:
        do_action("a.good", "a", good, actor=ALICE, session=session)
        with pytest.raises(RuntimeError):
            do_action("a.bad", "a", bad, actor=ALICE, session=session)
        assert seen == []
    assert seen == ["good"]
    with audit_db.session_scope() as session:
        rows, total = service.list_entries(session, {})
        assert total == 1 and rows[0].action == "a.good"


def test_concurrent_actions_on_sqlite_stay_gap_free(audit_db: Database) -> None:
    import threading

    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(10):

                def work(scope: ActionScope, i: int = i) -> Outcome[None]:
                    service.list_entries(scope.session, {}, 0, 1)  # read, then write
                    return Outcome(None, object_id=i)

                with unscoped("audit tests: writer thread"):  # a new thread has no scope
                    do_action("x.touch", "x", work, actor=Actor(f"w{worker}"), database=audit_db)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with audit_db.session_scope() as session:
        rows, total = service.list_entries(session, {}, 0, 100)
        assert total == 40 and sorted(r.seq for r in rows) == list(range(1, 41))
        assert service.verify_stored(session).ok


def test_migration_downgrades_cleanly(audit_db: Database) -> None:
    from sqlalchemy import inspect

    from industrybrain.config import get_settings
    from industrybrain.migrations import downgrade, upgrade

    url = get_settings().sqlalchemy_url
    downgrade(url, "audit@base")
    assert not {"audit_entry", "audit_checkpoint", "audit_key"} & set(
        inspect(audit_db.engine).get_table_names()
    )
    upgrade(url, "audit@head")
    _append(audit_db, 1)
