"""A test-only plugin: a ListPage over its own small table, nav entries, a template folder, a
catalog, a chart page rendered through ``kit.webctx`` and a route that fails on purpose.

Its table lives in its own ``MetaData`` (created by its lifespan hook), so it never joins the
shared metadata that migrations check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Column as SAColumn
from sqlalchemy import Float, Integer, MetaData, String, Table, func, insert, or_, select
from sqlalchemy.orm import Session

from industrybrain.hookspecs import hookimpl
from industrybrain.kit.pages import (
    Column,
    Filter,
    Form,
    FormError,
    FormField,
    ListPage,
    NavEntry,
)
from industrybrain.kit.webctx import render

PLUGIN_NAME = "webtest"
HERE = Path(__file__).resolve().parent
SEED_ROWS = 60
PAGE_SIZE = 25

metadata = MetaData()
widgets = Table(
    "webtest_widget",
    metadata,
    SAColumn("id", Integer, primary_key=True),
    SAColumn("code", String(20), nullable=False, unique=True),
    SAColumn("name", String(100), nullable=False),
    SAColumn("kind", String(20), nullable=False),
    SAColumn("weight", Float, nullable=True),
)
KINDS = [("pump", "Pump"), ("valve", "Valve")]


def seed_name(i: int) -> str:
    return f"离心泵 {i:02d}" if i % 2 == 0 else f"闸阀 {i:02d}"


def count_widgets(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(widgets)) or 0)


def query(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    stmt = select(widgets)
    if q := filters.get("q"):
        stmt = stmt.where(or_(widgets.c.name.contains(q), widgets.c.code.contains(q)))
    if kind := filters.get("kind"):
        stmt = stmt.where(widgets.c.kind == kind)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.execute(stmt.order_by(widgets.c.code).offset(offset).limit(limit)).mappings()
    return [dict(row) for row in rows], total


def detail(session: Session, key: str) -> dict[str, Any] | None:
    row = session.execute(select(widgets).where(widgets.c.code == key)).mappings().first()
    return dict(row) if row else None


def submit(session: Session, values: dict[str, Any]) -> str:
    taken = session.scalar(select(widgets.c.id).where(widgets.c.code == values["code"]))
    if taken is not None:
        raise FormError({"code": "This code is already taken."})
    session.execute(insert(widgets).values(**values))
    session.flush()
    # A check that can only run after the write: the generic view must roll the write back.
    if "reject" in values["name"]:
        raise FormError({"name": "This name is not allowed."})
    return str(values["code"])


PAGE = ListPage(
    path="/webtest/widgets",
    title="Widgets",
    description="Test widgets of the web shell.",
    columns=[
        Column("code", "Code", link=True),
        Column("name", "Name"),
        Column("kind", "Kind"),
        Column("weight", "Weight (kg)", format=lambda v: "" if v is None else f"{v:.1f}"),
    ],
    query=query,
    key="code",
    filters=[Filter("q", "Search"), Filter("kind", "Kind", kind="select", options=KINDS)],
    detail=detail,
    form=Form(
        fields=[
            FormField("code", "Code", required=True),
            FormField("name", "Name", required=True),
            FormField("kind", "Kind", kind="select", required=True, options=KINDS),
            FormField("weight", "Weight (kg)", kind="number"),
        ],
        submit=submit,
        title="New widget",
    ),
    page_size=PAGE_SIZE,
)

router = APIRouter()


@router.get("/webtest/chart")
def chart_page(request: Request) -> Response:
    options = {
        "xAxis": {"type": "category", "data": ["一月", "二月", "三月"]},
        "yAxis": {"type": "value"},
        "series": [{"type": "line", "data": [3, 5, 4], "name": "<script>x</script>"}],
    }
    return render(request, "webtest/chart.html", options=options)


@router.get("/webtest/boom")
def boom() -> Response:
    raise RuntimeError("secret-boom-detail")


@asynccontextmanager
async def _create_table(app: FastAPI) -> AsyncIterator[None]:
    engine = app.state.db.engine
    metadata.create_all(engine)
    with app.state.db.session_scope() as session:
        if count_widgets(session) == 0:
            session.execute(
                insert(widgets),
                [
                    {
                        "code": f"W{i:03d}",
                        "name": seed_name(i),
                        "kind": "pump" if i % 2 == 0 else "valve",
                        "weight": 10.0 + i,
                    }
                    for i in range(1, SEED_ROWS + 1)
                ],
            )
    yield


@hookimpl
def register_pages() -> list[ListPage]:
    return [PAGE]


@hookimpl
def register_nav() -> list[NavEntry]:
    return [
        NavEntry(path="/webtest/widgets", label="Widgets", section="data", order=5),
        NavEntry(path="/webtest/chart", label="Chart demo", section="model", order=5),
    ]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    return [router]


@hookimpl
def register_lifespan() -> list[Any]:
    return [_create_table]
