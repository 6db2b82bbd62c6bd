"""``do_action``: the one way a state change happens (the "zulip habit").

Every write of the platform runs as an *action*: one transaction holding the change and its
audit entry, and notifications that run only after that transaction committed::

    from industrybrain.modules.audit.actions import Outcome, do_action

    def do_close_order(actor: Actor, order_id: int) -> Order:
        def work(scope: ActionScope) -> Outcome[Order]:
            order = service.close(scope.session, order_id)        # flushes, never commits
            scope.after_commit(lambda: events.publish("order.closed", order.id))
            return Outcome(order, object_id=order.id, change={"status": ["open", "closed"]})

        return do_action("order.close", "order", work, actor=actor)

On SQLite the action takes the write lock before ``work`` runs, so an action that reads and
then writes waits for a concurrent writer instead of failing. If ``work`` raises, or the audit
append or the commit fails, nothing is written (neither the
change nor the audit entry) and no after-commit callback runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from industrybrain.kit.db import Database
from industrybrain.modules.audit import repository, service
from industrybrain.modules.audit.schemas import Actor

T = TypeVar("T")
logger = logging.getLogger(__name__)
_PENDING = "audit_after_commit"


@dataclass
class Outcome(Generic[T]):
    """What an action did: its result, the object it changed and the change to record."""

    value: T
    object_id: str | int
    change: Any = field(default_factory=dict)
    brain_id: int | None = None
    organization_id: int | None = None
    """The organisation the object belongs to, when it is not the actor's own."""


@dataclass
class ActionScope:
    session: Session
    actor: Actor
    request_id: str | None

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the transaction has committed (never if it rolls back)."""
        _pending(self.session).append(callback)


def _pending(session: Session) -> list[Callable[[], Any]]:
    pending: list[Callable[[], Any]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = []
        session.info[_PENDING] = pending
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_rollback", _drop_pending)
    return pending


def _run_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    callbacks = list(session.info.get(_PENDING, ()))
    session.info.get(_PENDING, []).clear()
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # The action is committed; a failed notification must not turn it into an error.
            logger.exception("after-commit callback %r failed", callback)


def _drop_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; do_action drops that savepoint's own callbacks
    session.info.get(_PENDING, []).clear()


def do_action(
    action: str,
    object_type: str,
    work: Callable[[ActionScope], Outcome[T]],
    *,
    actor: Actor,
    request_id: str | None = None,
    session: Session | None = None,
    database: Database | None = None,
) -> T:
    """Run ``work`` and record its audit entry in one transaction; notify after commit.

    Without ``session`` the action owns its transaction (``database`` or the process
    database) and commits it. With ``session`` it joins the caller's transaction inside a
    savepoint: a failing action leaves the caller's earlier work alone, and its callbacks run
    when the caller commits.
    """
    if session is not None:
        pending = _pending(session)
        mark = len(pending)
        try:
            with session.begin_nested():
                return _run(session, action, object_type, work, actor, request_id)
        except BaseException:
            del pending[mark:]  # the savepoint is gone, and so are its notifications
            raise
    if database is None:
        from industrybrain.runtime import get_database

        database = get_database()
    with database.session_scope() as own_session:
        repository.begin_write(own_session)
        return _run(own_session, action, object_type, work, actor, request_id)


def _run(
    session: Session,
    action: str,
    object_type: str,
    work: Callable[[ActionScope], Outcome[T]],
    actor: Actor,
    request_id: str | None,
) -> T:
    scope = ActionScope(session=session, actor=actor, request_id=request_id)
    outcome = work(scope)
    service.record(
        session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=outcome.object_id,
        change=outcome.change,
        request_id=request_id,
        brain_id=outcome.brain_id,
        organization_id=outcome.organization_id,
    )
    return outcome.value
