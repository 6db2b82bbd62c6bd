"""Audited writes of the CPMS (``do_action``: one transaction, one audit entry)."""

from __future__ import annotations

from typing import Any

import polars as pl

from industrybrain.modules.audit.actions import ActionScope, Outcome, do_action
from industrybrain.modules.audit.schemas import Actor
from industrybrain.modules.cpms import repository, service
from industrybrain.modules.cpms.models import StandardVersion


def ensure_seeded(actor: Actor | None = None) -> list[str]:
    """Seed (and publish) the first standard of every brain template that has none yet."""
    from industrybrain.runtime import get_database
    from industrybrain.templates import list_templates

    with get_database().session_scope() as session:
        present = {s.code for s in repository.standards(session)}
    seeded: list[str] = []
    for summary in list_templates():
        if summary.id in present:
            continue
        do_seed(summary.id, actor or Actor.system("cpms.seed"))
        seeded.append(summary.id)
    return seeded


def do_seed(template_id: str, actor: Actor) -> int:
    def work(scope: ActionScope) -> Outcome[int]:
        standard = service.seed_from_template(scope.session, template_id)
        return Outcome(standard.id, object_id=standard.code, change={"seeded": "1.0.0"})

    return do_action("cpms.standard.seed", "cpms_standard", work, actor=actor)


def do_transition(code: str, version: str, status: str, actor: Actor) -> str:
    def work(scope: ActionScope) -> Outcome[str]:
        before = service.get_version(scope.session, code, version).status
        after = service.transition(scope.session, code, version, status)
        return Outcome(
            after.status, object_id=f"{code}@{version}", change={"status": [before, status]}
        )

    return do_action("cpms.version.transition", "cpms_standard_version", work, actor=actor)


def do_new_draft(
    code: str, version: str, actor: Actor, content: dict[str, Any] | None = None
) -> int:
    def work(scope: ActionScope) -> Outcome[int]:
        draft: StandardVersion = service.new_draft(scope.session, code, version, content=content)
        return Outcome(draft.id, object_id=f"{code}@{version}", change={"created": version})

    return do_action("cpms.version.draft", "cpms_standard_version", work, actor=actor)


def do_import_products(
    organization_id: int,
    standard_code: str,
    frame: pl.DataFrame,
    actor: Actor,
    header_units: dict[str, str | None] | None = None,
) -> service.ImportOutcome:
    def work(scope: ActionScope) -> Outcome[service.ImportOutcome]:
        outcome = service.import_products(
            scope.session, organization_id, standard_code, frame, header_units=header_units
        )
        return Outcome(
            outcome,
            object_id=standard_code,
            organization_id=organization_id,
            change={
                "created": outcome.created,
                "updated": outcome.updated,
                "rejected": outcome.rejected,
                "version": outcome.result.version,
            },
        )

    return do_action("cpms.products.import", "cpms_product", work, actor=actor)


def do_confirm_mapping(
    organization_id: int,
    standard_code: str,
    headers: list[str],
    targets: dict[int, str],
    actor: Actor,
) -> int:
    def work(scope: ActionScope) -> Outcome[int]:
        count = service.confirm_mapping(
            scope.session, organization_id, standard_code, headers, targets
        )
        return Outcome(
            count,
            object_id=standard_code,
            organization_id=organization_id,
            change={headers[i]: t for i, t in targets.items()},
        )

    return do_action("cpms.mapping.confirm", "cpms_mapping_memory", work, actor=actor)
