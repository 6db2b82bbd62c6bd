"""FastSelect gives the same JSON as the ORM result path, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import JSON, Boolean, Integer, String, bindparam, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from industrybrain.kit.db import Database, UTCDateTime
from industrybrain.kit.fastrows import FastSelect


class _TestBase(DeclarativeBase):
    """Kept apart from the product metadata so that drift checks never see this table."""


class FastThing(_TestBase):
    __tablename__ = "test_fast_thing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    flag: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[Any] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def _check(url: str) -> None:
    database = Database(url)
    FastThing.__table__.create(database.engine, checkfirst=True)  # type: ignore[attr-defined]
    base = datetime(2026, 1, 28, 3, 4, 5, 123456, tzinfo=UTC)
    with database.engine.begin() as conn:
        conn.execute(
            insert(FastThing),
            [
                {"name": "温岭 泵", "flag": True, "data": {"k": [1, "二"]}, "at": base},
                {"name": "b", "flag": False, "data": None, "at": None},
                {"name": "c", "flag": True, "data": [1, 2], "at": base + timedelta(days=40)},
            ],
        )
    statement = (
        select(FastThing.id, FastThing.name, FastThing.flag, FastThing.data, FastThing.at)
        .where(FastThing.id >= bindparam("low"))
        .order_by(FastThing.id)
        .limit(bindparam("limit"))
    )
    fast = FastSelect(statement)
    with database.engine.connect() as conn:
        fast_rows = fast.rows(conn, {"low": 1, "limit": 10})
        orm_rows = [dict(r) for r in conn.execute(statement, {"low": 1, "limit": 10}).mappings()]
    assert orjson.loads(orjson.dumps(fast_rows)) == orjson.loads(orjson.dumps(orm_rows))
    assert orjson.loads(orjson.dumps(fast_rows))[0]["at"] == "2026-01-28T03:04:05.123456+00:00"
    FastThing.__table__.drop(database.engine)  # type: ignore[attr-defined]
    database.dispose()


def test_fast_select_matches_orm_on_sqlite(tmp_path: Any) -> None:
    _check(f"sqlite:///{tmp_path / 'fast.sqlite3'}")


@pytest.mark.postgres
def test_fast_select_matches_orm_on_postgres(postgres_url: str) -> None:
    _check(postgres_url)
