"""The tenancy guard on its own tables: ORM reads are filtered to the scope, bulk writes too,
raw SQL goes through ``scoped_sql``, and nothing runs on a tenant table without a scope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Integer, String, create_engine, delete, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from industrybrain.kit import tenancy
from industrybrain.kit.tenancy import (
    TenantOwned,
    TenantScopeError,
    criteria_for,
    scoped_sql,
    tenant_filter_sql,
    tenant_scope,
    unscoped,
)


class _Base(DeclarativeBase):
    pass


class Doc(TenantOwned, _Base):
    __tablename__ = "tenancy_test_doc"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)
    brain_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(50))


class Directory(TenantOwned, _Base):
    __tablename__ = "tenancy_test_directory"
    __tenant_public_read__ = True
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as s:
        with unscoped("test seed"):
            s.add_all([Doc(organization_id=o, brain_id=o * 10, title=f"d{o}") for o in (1, 2, 3)])
            s.add(Directory(organization_id=1))
            s.commit()
        yield s
    engine.dispose()


def _titles(session: Session) -> list[str]:
    session.expunge_all()
    return [d.title for d in session.scalars(select(Doc).order_by(Doc.id))]


def test_the_suite_runs_strict() -> None:
    import industrybrain.modules.audit.models
    import industrybrain.modules.identity.models
    import industrybrain.modules.jobs.models  # noqa: F401

    assert tenancy.is_strict()
    assert {"tenancy_test_doc", "job", "audit_entry", "identity_membership"} <= (
        tenancy.tenant_tables()
    )


def test_reads_are_filtered_to_the_scope(session: Session) -> None:
    with tenant_scope([1]):
        assert _titles(session) == ["d1"]
        assert session.get(Doc, 2) is None
        assert len(session.scalars(select(Directory)).all()) == 1  # public directory
    with tenant_scope([1, 3]):
        assert _titles(session) == ["d1", "d3"]
    with tenant_scope([]):
        assert _titles(session) == []
    with tenant_scope([1], brain_ids=[10]):
        assert _titles(session) == ["d1"]
    with tenant_scope([1], brain_ids=[20]):
        assert _titles(session) == []
    with unscoped("platform view"):
        assert _titles(session) == ["d1", "d2", "d3"]


def test_bulk_writes_touch_only_the_scope(session: Session) -> None:
    with tenant_scope([2]):
        assert session.execute(update(Doc).values(title="x")).rowcount == 1  # type: ignore[attr-defined]
        assert session.execute(delete(Doc)).rowcount == 1  # type: ignore[attr-defined]
    with unscoped("check"):
        assert _titles(session) == ["d1", "d3"]


def test_nothing_runs_without_a_scope(session: Session) -> None:
    with pytest.raises(TenantScopeError):
        session.scalars(select(Doc)).all()
    with pytest.raises(TenantScopeError):
        session.execute(update(Doc).values(title="x"))
    with pytest.raises(TenantScopeError):
        session.execute(text("SELECT title FROM tenancy_test_doc")).all()
    with pytest.raises(TenantScopeError):
        session.scalars(select(Directory)).all()
    with tenant_scope([1]):
        doc = session.scalars(select(Doc)).one()
    doc.title = "changed"
    with pytest.raises(TenantScopeError):
        session.flush()
    session.rollback()
    with pytest.raises(ValueError):
        unscoped("  ")


def test_scoped_sql_and_fragments(session: Session) -> None:
    sql = "SELECT title FROM tenancy_test_doc WHERE {tenant_filter} ORDER BY id"
    with tenant_scope([1, 2]):
        assert scoped_sql(session, sql).scalars().all() == ["d1", "d2"]
        assert tenant_filter_sql("d.organization_id") == (
            "d.organization_id IN (:_tenant_org0, :_tenant_org1)",
            {"_tenant_org0": 1, "_tenant_org1": 2},
        )
        assert session.scalars(
            select(Doc.title).where(criteria_for(Doc.organization_id))
        ).all() == ["d1", "d2"]
        with pytest.raises(ValueError):
            scoped_sql(session, "SELECT title FROM tenancy_test_doc")
        with pytest.raises(ValueError):
            tenant_filter_sql("1=1; DROP TABLE x")
    with unscoped("all"):
        assert len(scoped_sql(session, sql).all()) == 3
    with pytest.raises(TenantScopeError):
        scoped_sql(session, sql)


def test_a_scope_can_widen_one_table_only(session: Session) -> None:
    scope = tenancy.for_organizations([1], all_organizations_on=["tenancy_test_doc"])
    with tenancy.use_scope(scope):
        assert _titles(session) == ["d1", "d2", "d3"]
        assert tenancy.scope_organization() == 1


def test_counts_and_subqueries_are_filtered(session: Session) -> None:
    from sqlalchemy import func

    with tenant_scope([1]):
        assert session.scalar(select(func.count()).select_from(Doc)) == 1
        inner = select(Doc).where(Doc.title != "").subquery()
        assert session.scalar(select(func.count()).select_from(inner)) == 1
        assert session.scalar(select(func.max(Doc.id))) == 1
