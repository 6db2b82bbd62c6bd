"""``industrybrain audit``: export checkpoints, verify the log, read it, rotate the key."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

audit_cli = typer.Typer(
    help="Tamper-evident audit log: checkpoints, verification, entries.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


@audit_cli.command("checkpoint")
def checkpoint_command(
    out: Path | None = typer.Option(
        None, "--out", help="Write the checkpoint to FILE (default: print it)."
    ),
) -> None:
    """Sign a tree head of the log and export it with its public key; keep it elsewhere."""
    from industrybrain.modules.audit import service
    from industrybrain.runtime import get_database

    try:
        with get_database().session_scope() as session:
            exported = service.export_checkpoint(session)
    except service.AuditIntegrityError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    text = exported.to_json()
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    head = exported.head
    console.print(
        f"[green]checkpoint of {head.size} entries written to {out}[/green] "
        f"(root {head.root_hash.hex()[:16]}…, key {head.key_id})"
    )


@audit_cli.command("verify")
def verify_command(
    checkpoint: Path = typer.Option(
        ..., "--checkpoint", help="A checkpoint file exported earlier by `audit checkpoint`."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Prove the log consistent with an exported checkpoint; exit 1 when it was tampered with."""
    from industrybrain.kit.audit import Checkpoint, CheckpointError
    from industrybrain.modules.audit import service
    from industrybrain.runtime import get_database

    try:
        exported = Checkpoint.from_json(checkpoint.read_text(encoding="utf-8"))
    except (OSError, CheckpointError) as exc:
        errors.print(f"[red]cannot read checkpoint {checkpoint}: {exc}[/red]")
        raise typer.Exit(2) from exc
    with get_database().session_scope() as session:
        report = service.verify(session, exported)
    if as_json:
        typer.echo(json.dumps(report.model_dump(), indent=2))
    elif report.ok:
        console.print(f"[green]OK[/green] {report.message} (root {report.root_hash[:16]}…)")
    else:
        where = "" if report.first_bad_index is None else f" at entry {report.first_bad_index + 1}"
        errors.print(f"[red]TAMPERING DETECTED[/red] ({report.problem}{where}): {report.message}")
    if not report.ok:
        raise typer.Exit(1)


@audit_cli.command("log")
def log_command(
    action: str | None = typer.Option(None, "--action", help="Only this action."),
    object_type: str | None = typer.Option(None, "--object-type", help="Only this object type."),
    actor: str | None = typer.Option(None, "--actor", help="Only this actor (id or label)."),
    limit: int = typer.Option(50, "--limit", min=1, help="Newest entries to show."),
) -> None:
    """List the newest audit entries."""
    from industrybrain.modules.audit import service
    from industrybrain.runtime import get_database

    filters = {"action": action, "object_type": object_type, "actor": actor}
    with get_database().session_scope() as session:
        rows, total = service.list_entries(session, filters, 0, limit)
        table = Table("seq", "time (UTC)", "actor", "org", "action", "object", "request", "change")
        for row in rows:
            table.add_row(
                str(row.seq),
                row.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                row.actor_label,
                "" if row.organization_id is None else str(row.organization_id),
                row.action,
                f"{row.object_type}:{row.object_id}",
                row.request_id[:12],
                json.dumps(row.change, ensure_ascii=False)[:60],
            )
    console.print(table)
    console.print(f"{len(rows)} of {total} entries")


@audit_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Replace the signing key; the old key signs a rotation record endorsing the new one."""
    from industrybrain.modules.audit import service
    from industrybrain.runtime import get_database

    with get_database().session_scope() as session:
        new = service.rotate_key(session)
    console.print(
        f"[green]new signing key {new.key_id}[/green]; export a fresh checkpoint now "
        "(`industrybrain audit checkpoint --out FILE`)"
    )
