"""The demo step seeds one account per organisation type and the demo brain, idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest

from industrybrain.kit.demo import DemoContext
from industrybrain.modules.identity.permissions import OrgType


def _run_step(data_dir: Path) -> list[str]:
    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade
    from industrybrain.plugins import collect

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    [step] = [s for s in collect("register_demo_steps") if s.name == "accounts-and-brain"]
    assert step.order == 5
    lines: list[str] = []
    step.run(
        DemoContext(
            data_dir=data_dir, enterprises=10, seed=1, template="pumps-valves", report=lines.append
        )
    )
    return lines


def _check_world() -> None:
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.modules.brain import service as brains
    from industrybrain.modules.identity import service as identity
    from industrybrain.modules.identity.demo import DEMO_ACCOUNTS
    from industrybrain.runtime import get_database

    with unscoped("test code"), get_database().session_scope() as session:
        types = set()
        for account in DEMO_ACCOUNTS:
            issued = identity.login(session, username=account.username, password=account.password)
            assert issued is not None, account.username
            principal = identity.resolve_credentials(session, cookie=issued.token)
            assert principal is not None and principal.role == "admin"
            types.add(principal.organization_type)
        assert types == set(OrgType)
        [brain] = brains.list_brains(session)
        assert (brain.code, brain.name_zh, brain.industry_class, brain.region_code) == (
            "wenling-pumps-valves",
            "温岭泵阀产业大脑",
            "3441",
            "331081",
        )
        assert (brain.status, brain.template) == ("operating", "pumps-valves")
        operator = identity.get_organization(session, brain.operator_organization_id)
        assert operator is not None and operator.name_zh == "温岭泵阀产业大脑运营公司"
        assert len(brains.list_partitions(session, brain)) == 2
        assert len(identity.list_visible_users(session, principal)) >= 1


def test_demo_step_seeds_accounts_and_brain_idempotently(ib_env: Path) -> None:
    first = _run_step(ib_env)
    second = _run_step(ib_env)
    assert first == second
    accounts = [line for line in first if line.startswith("account ")]
    assert len(accounts) == 6
    assert any("浙江省经济和信息化厅: province / demo-province-2026" in line for line in accounts)
    _check_world()


@pytest.mark.postgres
def test_demo_step_on_postgres(pg_env: str, tmp_path: Path) -> None:
    _run_step(tmp_path)
    _check_world()


def test_demo_accounts_documented() -> None:
    from industrybrain.modules.identity.demo import DEMO_ACCOUNTS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "identity.md").read_text("utf-8")
    for account in DEMO_ACCOUNTS:
        row = f"| {account.org_type} | {account.name_zh} | `{account.username}` | "
        assert row + f"`{account.password}` |" in doc
