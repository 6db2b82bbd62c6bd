"""Demo step: the demo accounts and the brain 温岭泵阀产业大脑 with two partitions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from industrybrain.kit.demo import DemoContext
from industrybrain.modules.brain import service
from industrybrain.modules.brain.models import Brain
from industrybrain.modules.identity.demo import demo_operator_id, seed_demo_accounts

DEMO_BRAIN_CODE = "wenling-pumps-valves"


def seed_demo_brain(session: Session, template: str = "pumps-valves") -> Brain:
    """The demo brain (class 3441 pumps, region 331081 Wenling), operating; idempotent."""
    brain = service.find_brain(session, DEMO_BRAIN_CODE)
    if brain is None:
        brain = service.create_brain(
            session,
            None,
            code=DEMO_BRAIN_CODE,
            name_zh="温岭泵阀产业大脑",
            name_en="Wenling Pumps and Valves Industry Brain",
            industry_class="3441",
            region_code="331081",
            operator_organization_id=demo_operator_id(session),
            template=template,
            status="operating",
        )
    if not service.list_partitions(session, brain):
        for name in ("温岭泵阀东部分区", "温岭泵阀西部分区"):
            service.create_partition(session, None, brain, region_code="331081", name=name)
    return brain


def run(ctx: DemoContext) -> None:
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.runtime import get_database

    with unscoped("demo seed: system code"), get_database().session_scope() as session:
        accounts = seed_demo_accounts(session)
        brain = seed_demo_brain(session, ctx.template or "pumps-valves")
        ctx.extra["brain_id"] = brain.id
        ctx.extra["operator_organization_id"] = brain.operator_organization_id
    ctx.report(f"brain {brain.code} ({brain.name_zh}) id={brain.id}, status {brain.status}")
    for org_type, org_name, username, password in accounts:
        ctx.report(f"account {org_type:<18} {org_name}: {username} / {password}")
