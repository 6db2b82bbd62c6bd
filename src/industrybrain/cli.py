"""The ``industrybrain`` (alias ``ibrain``) command line. Plugins add their sub-apps."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from industrybrain import __version__

console = Console()
cli = typer.Typer(
    name="industrybrain",
    help="Industry Brain (产业大脑): build and run the shared platform of an industrial cluster.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_cli = typer.Typer(help="Transactional store: migrations and checks.", no_args_is_help=True)
plugins_cli = typer.Typer(
    help="Installed plugins (built-in modules and third-party packages).", no_args_is_help=True
)
components_cli = typer.Typer(
    help="Components offered to the capability center (能力中心).", no_args_is_help=True
)
cli.add_typer(db_cli, name="db")


@cli.callback()
def _root(ctx: typer.Context) -> None:
    """Commands are run by the platform's operator: unscoped (the web server scopes each
    request itself)."""
    if ctx.invoked_subcommand not in (None, "serve"):
        from industrybrain.kit.tenancy import unscoped

        ctx.with_resource(unscoped("command line: platform operator"))


cli.add_typer(plugins_cli, name="plugins")
cli.add_typer(components_cli, name="components")


@cli.command()
def version() -> None:
    """Print the installed version."""
    console.print(f"industrybrain {__version__}")


@cli.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default IB_HOST)."),
    port: int | None = typer.Option(None, help="Port (default IB_PORT)."),
    workers: int | None = typer.Option(None, help="Web server processes (default IB_WEB_WORKERS)."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the web app and API."""
    import uvicorn

    from industrybrain.config import get_settings

    settings = get_settings()
    settings.check_production()
    uvicorn.run(
        "industrybrain.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.web_workers,
        reload=reload,
        log_level=settings.log_level,
        access_log=False,
    )


@db_cli.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("heads", help="Target revision (default: every head)."),
) -> None:
    """Apply migrations up to REVISION (all plugin branches by default)."""
    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with console.status("Applying migrations..."):
        upgrade(settings.sqlalchemy_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@db_cli.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. 'jobs@base'."),
) -> None:
    """Revert migrations down to REVISION."""
    from industrybrain.config import get_settings
    from industrybrain.migrations import downgrade

    downgrade(get_settings().sqlalchemy_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@db_cli.command("check")
def db_check() -> None:
    """Exit 1 when the models differ from the migrated database (missing migration)."""
    from industrybrain.migrations import drift
    from industrybrain.runtime import get_database

    differences = drift(get_database().engine)
    if differences:
        for item in differences:
            console.print(f"[red]drift[/red] {item}")
        raise typer.Exit(1)
    console.print("[green]models and database agree[/green]")


@plugins_cli.command("list")
def plugins_list() -> None:
    """List registered plugins."""
    from industrybrain.plugins import plugin_names

    table = Table("plugin", "from")
    for name, origin in plugin_names():
        table.add_row(name, origin)
    console.print(table)


@components_cli.command("list")
def components_list(
    kind: str | None = typer.Option(None, help="knowledge, tool or application."),
) -> None:
    """List the components every plugin declares."""
    from industrybrain.kit.components import check_components
    from industrybrain.plugins import collect

    components = collect("register_components")
    check_components(components)
    table = Table("kind", "id", "version", "title", "provider", "depends on")
    for component in sorted(components, key=lambda c: (c.kind, c.id)):
        if kind and component.kind != kind:
            continue
        deps = ", ".join(f"{d.id}{d.versions}" for d in component.dependencies)
        table.add_row(
            component.kind,
            component.id,
            component.version,
            f"{component.title_zh} / {component.title_en}",
            component.provider,
            deps,
        )
    console.print(table)


def _load_plugin_commands() -> None:
    from industrybrain.plugins import get_plugin_manager

    get_plugin_manager().hook.register_cli(cli=cli)


_loaded = False


def build_cli() -> typer.Typer:
    global _loaded
    if not _loaded:
        _load_plugin_commands()
        _loaded = True
    return cli


def main() -> None:
    from industrybrain.config import ConfigurationError

    try:
        build_cli()()
    except ConfigurationError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise SystemExit(2) from None
