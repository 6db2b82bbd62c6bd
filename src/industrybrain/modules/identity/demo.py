"""Demo accounts: one organisation and one admin per organisation type (idempotent).

The passwords are public (they are in docs/identity.md): a demo only, never production data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from industrybrain.modules.identity import service
from industrybrain.modules.identity.permissions import OrgType


@dataclass(frozen=True)
class DemoAccount:
    org_type: str
    name_zh: str
    name_en: str
    region_code: str
    username: str
    password: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        OrgType.province_authority,
        "浙江省经济和信息化厅",
        "Department of Economy and Information Technology of Zhejiang Province",
        "33",
        "province",
        "demo-province-2026",
    ),
    DemoAccount(
        OrgType.gov_department,
        "温岭市经济和信息化局",
        "Wenling Bureau of Economy and Information Technology",
        "331081",
        "wenling-gov",
        "demo-gov-2026",
    ),
    DemoAccount(
        OrgType.operator,
        "温岭泵阀产业大脑运营公司",
        "Wenling Pumps and Valves Industry Brain Operating Company",
        "331081",
        "operator",
        "demo-operator-2026",
    ),
    DemoAccount(
        OrgType.enterprise,
        "温岭示范泵业有限公司",
        "Wenling Demo Pump Co., Ltd.",
        "331081",
        "enterprise",
        "demo-enterprise-2026",
    ),
    DemoAccount(
        OrgType.provider,
        "台州示范工业软件服务有限公司",
        "Taizhou Demo Industrial Software Services Co., Ltd.",
        "331002",
        "provider",
        "demo-provider-2026",
    ),
    DemoAccount(
        OrgType.financier,
        "示范商业银行温岭支行",
        "Demo Commercial Bank, Wenling Branch",
        "331081",
        "financier",
        "demo-financier-2026",
    ),
)


def seed_demo_accounts(session: Session) -> list[tuple[str, str, str, str]]:
    """Create the demo organisations and their admins where missing.

    Returns ``(org type, org name, username, password)`` per account. Running it again changes
    nothing (an existing user keeps the password it has).
    """
    result: list[tuple[str, str, str, str]] = []
    for account in DEMO_ACCOUNTS:
        org = service.find_organization(session, account.org_type, account.name_zh)
        if org is None:
            org = service.create_organization(
                session,
                org_type=account.org_type,
                name_zh=account.name_zh,
                name_en=account.name_en,
                region_code=account.region_code,
            )
        user = service.find_user(session, account.username)
        if user is None:
            user = service.create_user(
                session,
                username=account.username,
                password=account.password,
                display_name=f"{account.name_zh} 管理员",
            )
        if service.get_membership(session, user.id, org.id) is None:
            service.add_membership(session, user.id, org.id, "admin")
        result.append((str(account.org_type), account.name_zh, account.username, account.password))
    return result


def demo_operator_id(session: Session) -> int:
    """The id of the demo operator organisation (after :func:`seed_demo_accounts`)."""
    operator = next(a for a in DEMO_ACCOUNTS if a.org_type == OrgType.operator)
    org = service.find_organization(session, operator.org_type, operator.name_zh)
    if org is None:
        raise service.NotFoundError("the demo operator is missing: seed the demo accounts first")
    return org.id
