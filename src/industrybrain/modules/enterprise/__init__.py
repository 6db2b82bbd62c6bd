"""Enterprise registry and entity resolution (企业库): identifiers, name normalisation, matching.

The generic matcher (``industrybrain match run``) lives in ``match/``; Chinese enterprise-name,
address, phone and legal-representative normalisation in ``normalize.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.enterprise.cli import match_cli

    cli.add_typer(match_cli, name="match")
