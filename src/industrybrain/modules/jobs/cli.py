"""``industrybrain worker`` and ``industrybrain jobs list|show|submit|cancel``."""

from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from industrybrain.modules.jobs.models import FINAL_STATUSES, STATUSES

console = Console()
jobs_cli = typer.Typer(help="Background jobs: list, inspect, submit, cancel.", no_args_is_help=True)

STATUS_STYLE = {
    "queued": "yellow",
    "running": "cyan",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "dim",
}


def _database() -> Any:
    from industrybrain.runtime import get_database

    return get_database()


def worker_command(
    concurrency: int = typer.Option(1, min=1, max=64, help="Worker threads in this process."),
    once: bool = typer.Option(False, help="Run at most one job (per thread), then exit."),
    burst: bool = typer.Option(False, help="Exit when no job is due instead of waiting."),
    worker_id: str | None = typer.Option(None, help="Name of this worker (default host:pid)."),
) -> None:
    """Run a job worker (production: several of these against PostgreSQL). SIGTERM or Ctrl-C
    stops it after the running jobs finish."""
    from industrybrain.config import get_settings
    from industrybrain.modules.jobs.worker import run_workers

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        console.print(f"[yellow]signal {signum}: finishing running jobs, then stopping[/yellow]")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    count = run_workers(
        _database(), stop, concurrency=concurrency, once=once, burst=burst, worker_id=worker_id
    )
    console.print(f"worker stopped; {count} job(s) run")


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


@jobs_cli.command("list")
def jobs_list(
    status: str | None = typer.Option(None, help=f"One of {', '.join(STATUSES)}."),
    kind: str | None = typer.Option(None, help="Job kind, e.g. system.sleep."),
    limit: int = typer.Option(20, min=1, max=500),
    offset: int = typer.Option(0, min=0),
) -> None:
    """List jobs, newest first."""
    from industrybrain.modules.jobs import service

    filters = {k: v for k, v in {"status": status, "kind": kind}.items() if v}
    with _database().session_scope() as session:
        rows, total = service.list_jobs(session, filters, offset, limit)
    table = Table()
    for name in ("id", "kind", "status"):
        table.add_column(name, no_wrap=True)
    for name in ("progress", "attempts", "message", "created", "finished"):
        table.add_column(name)
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["kind"],
            _status(row["status"]),
            f"{round(row['progress'] * 100)}%",
            f"{row['attempts']}/{row['max_attempts']}",
            row["message"],
            _when(row["created_at"]),
            _when(row["finished_at"]),
        )
    console.print(table)
    console.print(f"{len(rows)} of {total} job(s)")


def _load(job_id: int) -> dict[str, Any]:
    from industrybrain.modules.jobs import service

    with _database().session_scope() as session:
        job = service.detail(session, job_id)
    if job is None:
        console.print(f"[red]no job {job_id}[/red]")
        raise typer.Exit(1)
    return job


def _print_job(job: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None)
    for name in (
        "id", "kind", "status", "progress", "message", "attempts", "max_attempts", "worker_id",
        "created_at", "started_at", "finished_at", "run_after",
    ):  # fmt: skip
        value = job[name]
        if name == "status":
            value = _status(value)
        elif name == "progress":
            value = f"{round(value * 100)}%"
        table.add_row(name, "" if value is None else str(value))
    table.add_row("payload", orjson.dumps(job["payload"]).decode())
    if job["result"] is not None:
        table.add_row("result", orjson.dumps(job["result"]).decode())
    console.print(table)
    if job["error"]:
        console.print("[red]error[/red]")
        console.print(job["error"], markup=False, highlight=False)
    if job["log"]:
        console.print("[bold]log[/bold]")
        console.print(job["log"].rstrip(), markup=False, highlight=False)


@jobs_cli.command("show")
def jobs_show(
    job_id: int = typer.Argument(..., help="Job id."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Show progress until it ends."),
    interval: float = typer.Option(0.5, help="Seconds between polls with --follow."),
) -> None:
    """Show one job; with --follow, a progress bar until the job ends."""
    job = _load(job_id)
    if follow and job["status"] not in FINAL_STATUSES:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]} {task.fields[message]}"),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                f"job {job_id} {job['kind']}", total=1.0, status=job["status"], message=""
            )
            while True:
                progress.update(
                    task,
                    completed=job["progress"],
                    status=_status(job["status"]),
                    message=job["message"],
                )
                if job["status"] in FINAL_STATUSES:
                    break
                time.sleep(interval)
                job = _load(job_id)
    _print_job(job)
    if job["status"] == "failed":
        raise typer.Exit(1)


@jobs_cli.command("submit")
def jobs_submit(
    kind: str = typer.Argument(..., help="Job kind, e.g. system.sleep."),
    payload: str = typer.Option("{}", help="JSON object, e.g. '{\"steps\": 5}'."),
    max_attempts: int | None = typer.Option(None, min=1, max=100),
) -> None:
    """Queue a job."""
    from industrybrain.modules.jobs import service

    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        console.print(f"[red]payload is not JSON: {exc}[/red]")
        raise typer.Exit(2) from exc
    if not isinstance(data, dict):
        console.print("[red]payload must be a JSON object[/red]")
        raise typer.Exit(2)
    try:
        with _database().session_scope() as session:
            job_id = service.submit(session, kind, data, max_attempts=max_attempts).id
    except service.UnknownJobKind as exc:
        console.print(f"[red]{exc}[/red]; known: {', '.join(sorted(service.job_specs()))}")
        raise typer.Exit(2) from exc
    console.print(f"[green]queued job {job_id}[/green] ({kind})")


@jobs_cli.command("cancel")
def jobs_cancel(job_id: int = typer.Argument(..., help="Job id.")) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    from industrybrain.modules.jobs import service

    try:
        with _database().session_scope() as session:
            status = service.cancel(session, job_id).status
    except service.JobNotFound as exc:
        console.print(f"[red]no job {job_id}[/red]")
        raise typer.Exit(1) from exc
    except service.JobAlreadyFinished as exc:
        console.print(f"[yellow]{exc}[/yellow]")
        raise typer.Exit(1) from exc
    if status == "cancelled":
        console.print(f"[green]job {job_id} cancelled[/green]")
    else:
        console.print(f"job {job_id} is running; asked it to stop")
