"""The tenancy guard: every statement on a tenant-owned table runs inside a tenant scope.

- :class:`TenantOwned` marks a table whose rows belong to one organisation
  (``organization_id``; optionally one brain, ``brain_id``). ``__tenant_public_read__ = True``
  marks a public directory (e.g. the brain registry): reads are not filtered, but every
  statement still needs a scope.
- The scope lives in a context variable: :func:`tenant_scope` (one or more organisations,
  optionally brains), :func:`unscoped` (platform or system code, with a reason that says why)
  or nothing at all.
- :func:`install` adds a ``do_orm_execute`` hook to every ORM session that adds
  ``with_loader_criteria(TenantOwned, organization_id IN scope)`` to each ORM SELECT, and
  refuses ORM UPDATE/DELETE and flushes of tenant rows without a scope. In *strict* mode (the
  test suite) every statement that touches a tenant table without a scope raises, including raw
  SQL seen by the engine.
- Raw SQL (and later warehouse SQL) goes through :func:`scoped_sql` / :func:`tenant_filter_sql`,
  which need a scope and insert the filter themselves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import _GeneratorContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, event, false, true
from sqlalchemy.engine import Engine, Result
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import text
from sqlalchemy.sql.util import find_tables

log = logging.getLogger(__name__)


class TenantScopeError(RuntimeError):
    """A statement on a tenant-owned table ran without a tenant scope."""


class TenantOwned:
    """Marker mixin of tenant-owned tables; the model declares ``organization_id`` itself."""

    __tenant_public_read__: ClassVar[bool] = False
    """Reads are not filtered (a public directory); writes still need a scope."""


@dataclass(frozen=True)
class TenantScope:
    """Whose rows a unit of code may touch: ``organization_ids`` (``None`` = every
    organisation, only with a ``reason``) and optionally ``brain_ids``."""

    organization_ids: frozenset[int] | None
    brain_ids: frozenset[int] | None = None
    reason: str = ""
    all_organizations_on: frozenset[str] = frozenset()
    """Tables this scope reads across organisations (a platform permission on one kind of row,
    e.g. ``org.manage`` on memberships); every other tenant table stays restricted."""

    @property
    def unscoped(self) -> bool:
        return self.organization_ids is None


_current: ContextVar[TenantScope | None] = ContextVar("industrybrain_tenant_scope", default=None)
_strict = False
_table_pattern: re.Pattern[str] | None = None
_pattern_for: frozenset[str] = frozenset()


def current_scope() -> TenantScope | None:
    return _current.get()


def require_scope() -> TenantScope:
    scope = _current.get()
    if scope is None:
        raise TenantScopeError(
            "no tenant scope: run inside tenant_scope(...) or unscoped('why') (system code)"
        )
    return scope


@contextmanager
def use_scope(scope: TenantScope | None) -> Iterator[TenantScope | None]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def for_organizations(
    organization_ids: Iterable[int],
    brain_ids: Iterable[int] | None = None,
    *,
    all_organizations_on: Iterable[str] = (),
) -> TenantScope:
    return TenantScope(
        organization_ids=frozenset(organization_ids),
        brain_ids=frozenset(brain_ids) if brain_ids is not None else None,
        all_organizations_on=frozenset(all_organizations_on),
    )


def tenant_scope(
    organization_ids: Iterable[int], brain_ids: Iterable[int] | None = None
) -> _GeneratorContextManager[TenantScope | None]:
    """Context manager: code inside sees only the rows of these organisations (and brains)."""
    return use_scope(for_organizations(organization_ids, brain_ids))


def platform_scope(reason: str) -> TenantScope:
    if not reason.strip():
        raise ValueError("an unscoped block needs a reason")
    return TenantScope(organization_ids=None, reason=reason)


def unscoped(reason: str) -> _GeneratorContextManager[TenantScope | None]:
    """Context manager for platform and system code (worker, migrations, CLI, audit
    verification): every organisation's rows, with a reason that says why."""
    return use_scope(platform_scope(reason))


def scope_organization() -> int | None:
    """The one organisation of the current scope; ``None`` when unscoped (platform code).
    Raises :class:`TenantScopeError` without a scope or with several organisations."""
    scope = require_scope()
    if scope.organization_ids is None:
        return None
    if len(scope.organization_ids) != 1:
        raise TenantScopeError("the tenant scope does not name exactly one organisation")
    return next(iter(scope.organization_ids))


# -- helpers for explicit filters --------------------------------------------------------------


def criteria_for(column: Any) -> ColumnElement[bool]:
    """``column IN scope`` for a Core statement (``true()`` when unscoped)."""
    scope = require_scope()
    table = getattr(getattr(column, "table", None), "name", None)
    if scope.organization_ids is None or table in scope.all_organizations_on:
        return true()
    if not scope.organization_ids:
        return false()
    return column.in_(sorted(scope.organization_ids))  # type: ignore[no-any-return]


def tenant_filter_sql(
    column: str, *, param_prefix: str = "_tenant_org"
) -> tuple[str, dict[str, int]]:
    """A SQL fragment restricting ``column`` to the scope, and its named parameters.

    Works for any engine that takes ``:name`` parameters (SQLAlchemy ``text``, DuckDB)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", column):
        raise ValueError(f"not a column name: {column!r}")
    scope = require_scope()
    if scope.organization_ids is None:
        return "1 = 1", {}
    if not scope.organization_ids:
        return "1 = 0", {}
    params = {f"{param_prefix}{i}": org for i, org in enumerate(sorted(scope.organization_ids))}
    return f"{column} IN ({', '.join(':' + name for name in params)})", params


def scoped_sql(
    session: Session,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    column: str = "organization_id",
) -> Result[Any]:
    """Run raw SQL that contains ``{tenant_filter}``; the placeholder becomes the scope's filter
    on ``column``. Raises :class:`TenantScopeError` without a scope and ``ValueError`` when the
    SQL has no placeholder (a raw statement on tenant rows must be filtered)."""
    if "{tenant_filter}" not in sql:
        raise ValueError("scoped_sql needs a {tenant_filter} placeholder in the SQL")
    fragment, extra = tenant_filter_sql(column)
    statement = text(sql.replace("{tenant_filter}", f"({fragment})"))
    bound = {**(params or {}), **extra}
    return session.execute(statement, bound)


# -- the guard ---------------------------------------------------------------------------------


def _tenant_classes() -> list[type]:
    found: list[type] = []
    stack = list(TenantOwned.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def tenant_tables() -> frozenset[str]:
    """Names of the mapped tenant-owned tables."""
    return frozenset(
        str(cls.__table__.name) for cls in _tenant_classes() if hasattr(cls, "__table__")
    )


def _pattern() -> re.Pattern[str] | None:
    global _table_pattern, _pattern_for
    tables = tenant_tables()
    if tables != _pattern_for:
        names = "|".join(re.escape(n) for n in sorted(tables, key=len, reverse=True))
        _table_pattern = (
            re.compile(rf'(?<![\w."])({names})(?![\w"])', re.IGNORECASE) if names else None
        )
        _pattern_for = tables
    return _table_pattern


def set_strict(strict: bool) -> bool:
    """Strict mode (the test suite): every statement on a tenant table needs a scope. Returns
    the previous value."""
    global _strict
    previous = _strict
    _strict = strict
    return previous


def is_strict() -> bool:
    return _strict


def _touches_tenant_table(state: ORMExecuteState) -> bool:
    if any(issubclass(mapper.class_, TenantOwned) for mapper in state.all_mappers):
        return True
    # Tables reached without an ORM entity (``select(func.count()).select_from(Model)``,
    # subqueries): the loader criteria of the outer statement reach them too.
    names = tenant_tables()
    statement: Any = state.statement
    return any(
        getattr(table, "name", None) in names
        for table in find_tables(
            statement, check_columns=True, include_aliases=True, include_joins=True
        )
    )


def _tenant_options(scope: TenantScope) -> list[Any]:
    """One ``with_loader_criteria`` per tenant class (joined entities are covered too)."""
    org_ids = sorted(scope.organization_ids or ())
    brain_ids = sorted(scope.brain_ids) if scope.brain_ids is not None else None
    options = []
    for cls in _tenant_classes():
        if getattr(cls, "__tenant_public_read__", False) or not hasattr(cls, "__table__"):
            continue
        if cls.__table__.name in scope.all_organizations_on:
            continue
        clause: Any = cls.organization_id.in_(org_ids)  # type: ignore[attr-defined]
        if brain_ids is not None and hasattr(cls, "brain_id"):
            clause = clause & cls.brain_id.in_(brain_ids)
        options.append(with_loader_criteria(cls, clause, include_aliases=True))
    return options


def _on_orm_execute(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    if not _touches_tenant_table(state):
        return
    scope = _current.get()
    if scope is None:
        if _strict or not state.is_select:
            raise TenantScopeError(
                "statement on a tenant-owned table without a tenant scope: "
                + str(state.statement)[:200]
            )
        log.warning("unscoped read of a tenant-owned table: %s", str(state.statement)[:200])
        return
    if scope.organization_ids is None or state.is_insert:
        return
    # Bulk UPDATE/DELETE are restricted to the scope's rows exactly like reads.
    state.statement = state.statement.options(*_tenant_options(scope))


def _on_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _current.get() is not None:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TenantOwned):
            raise TenantScopeError(
                f"flush of a tenant-owned {type(obj).__name__} without a tenant scope"
            )


_DML = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


def _on_cursor_execute(
    _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if not _strict or _current.get() is not None or not _DML.match(statement):
        return
    pattern = _pattern()
    if pattern is not None and pattern.search(statement):
        raise TenantScopeError(
            "SQL on a tenant-owned table without a tenant scope: " + statement[:200]
        )


_installed = False


def install() -> None:
    """Register the guard's events once per process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _on_orm_execute)
    event.listen(Session, "before_flush", _on_before_flush)
    event.listen(Engine, "before_cursor_execute", _on_cursor_execute)
    _installed = True


install()

__all__ = [
    "TenantOwned",
    "TenantScope",
    "TenantScopeError",
    "criteria_for",
    "current_scope",
    "for_organizations",
    "install",
    "is_strict",
    "platform_scope",
    "require_scope",
    "scope_organization",
    "scoped_sql",
    "set_strict",
    "tenant_filter_sql",
    "tenant_scope",
    "tenant_tables",
    "unscoped",
    "use_scope",
]
