"""Jobs: a job table, workers (embedded thread or ``industrybrain worker`` processes), the jobs
API, pages and CLI. Other plugins declare job kinds through ``register_jobs``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.components import ComponentSpec
    from industrybrain.kit.jobs import JobSpec
    from industrybrain.kit.pages import ListPage, NavEntry

HERE = Path(__file__).parent


@hookimpl
def register_models() -> None:
    from industrybrain.modules.jobs import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_jobs() -> list[JobSpec]:
    from industrybrain.modules.jobs.builtin import BUILTIN_JOBS

    return list(BUILTIN_JOBS)


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.kit.components import ComponentSpec

    return [
        ComponentSpec(
            kind="tool",
            id="jobs.runner",
            version="0.1.0",
            title_zh="后台任务运行器",
            title_en="Job runner",
            description_zh="排队、重试、取消和进度跟踪的后台任务；嵌入式或独立工作进程运行。",
            description_en="Background jobs with queueing, retries with backoff, cancellation "
            "and progress; runs embedded or in separate worker processes.",
        )
    ]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.jobs.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.jobs.views import router

    return [router]


@hookimpl
def register_pages() -> list[ListPage]:
    from industrybrain.modules.jobs.pages import JOBS_PAGE

    return [JOBS_PAGE]


@hookimpl
def register_nav() -> list[NavEntry]:
    from industrybrain.modules.jobs.pages import JOBS_NAV

    return [JOBS_NAV]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.jobs.cli import jobs_cli, worker_command

    cli.command("worker")(worker_command)
    cli.add_typer(jobs_cli, name="jobs")


@hookimpl
def register_lifespan() -> list[Callable[[Any], AbstractAsyncContextManager[None]]]:
    return [embedded_worker]


@asynccontextmanager
async def embedded_worker(app: Any) -> AsyncIterator[None]:
    """Run one worker thread inside the web process when ``IB_EMBEDDED_WORKER`` is true."""
    from industrybrain.config import get_settings

    if not get_settings().embedded_worker:
        yield
        return
    from industrybrain.modules.jobs.worker import Worker, default_worker_id
    from industrybrain.runtime import get_database

    stop = threading.Event()
    worker = Worker(get_database(), default_worker_id("embedded"))
    thread = threading.Thread(
        target=worker.run, args=(stop,), name="industrybrain-embedded-worker", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # A long job keeps running in the daemon thread; its heartbeat stops with the process
        # and another worker recovers it.
        thread.join(timeout=10)
