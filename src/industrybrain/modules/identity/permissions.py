"""The permission matrix, as data: which role of which organisation type may do what.

``docs/permissions.md`` is generated from this file (``industrybrain users permissions-doc``);
a test checks that the two agree. A permission is held inside the principal's own organisation;
the few platform-wide ones say so in their description (``scope = "platform"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class OrgType(StrEnum):
    province_authority = "province_authority"
    gov_department = "gov_department"
    operator = "operator"
    enterprise = "enterprise"
    provider = "provider"
    financier = "financier"


ORG_TYPE_LABELS: dict[OrgType, tuple[str, str]] = {
    OrgType.province_authority: ("省级主管部门", "province authority"),
    OrgType.gov_department: ("政府部门", "government department"),
    OrgType.operator: ("大脑运营公司", "brain operator"),
    OrgType.enterprise: ("企业", "enterprise"),
    OrgType.provider: ("服务商", "service provider"),
    OrgType.financier: ("金融机构", "financier"),
}


class Role(StrEnum):
    admin = "admin"
    analyst = "analyst"
    reviewer = "reviewer"
    member = "member"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.admin: "manages the organisation: its users, memberships and API keys",
    Role.analyst: "reads data, dashboards and reports; submits analysis jobs",
    Role.reviewer: "decides reviews: clerical review of golden records, credit review",
    Role.member: "everyday user of the organisation's apps",
}


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    scope: str = "organisation"  # "organisation" (own org, own brains) or "platform"


PERMISSIONS: tuple[Permission, ...] = (
    Permission("org.read", "read the own organisation and its members"),
    Permission("org.update", "edit the own organisation's names and region"),
    Permission(
        "org.manage", "create, edit and suspend any organisation; see every user", "platform"
    ),
    Permission("user.manage", "create users, change memberships and roles, disable accounts"),
    Permission("apikey.manage", "create and revoke API keys of the own organisation"),
    Permission("brain.read", "read the brain registry and the enterprises of a brain's cluster"),
    Permission(
        "brain.manage",
        "register and edit brains, change their status, manage partitions and cluster "
        "enterprises (operators: only the brains they operate)",
    ),
    Permission("enterprise.read_own", "read and correct the own enterprise's records"),
    Permission("enterprise.read_golden", "read golden records of every enterprise of the brain"),
    Permission("enterprise.review", "decide clerical reviews of entity resolution"),
    Permission("warehouse.manage", "register data sources, run and publish warehouse runs"),
    Permission("job.submit", "submit background jobs"),
    Permission("audit.read", "read and verify the audit log"),
    Permission("dashboard.government", "see government dashboards of the region"),
    Permission("capability.publish", "list and delist components in the capability center"),
    Permission("capability.subscribe", "subscribe to apps and components"),
    Permission("exchange.publish", "publish data products"),
    Permission("trade.order", "join group purchases and pooled orders"),
    Permission("finance.apply", "apply for supply-chain finance"),
    Permission("finance.review", "review and decide financing applications"),
    Permission("policy.manage", "publish policies and push them to enterprises"),
)

PERMISSION_NAMES: frozenset[str] = frozenset(p.name for p in PERMISSIONS)

_P = frozenset

# Roles that exist in each organisation type.
ROLES_BY_TYPE: dict[OrgType, tuple[Role, ...]] = {
    OrgType.province_authority: (Role.admin, Role.analyst, Role.member),
    OrgType.gov_department: (Role.admin, Role.analyst, Role.member),
    OrgType.operator: (Role.admin, Role.analyst, Role.reviewer, Role.member),
    OrgType.enterprise: (Role.admin, Role.member),
    OrgType.provider: (Role.admin, Role.member),
    OrgType.financier: (Role.admin, Role.reviewer, Role.member),
}

_BASE = _P({"org.read", "brain.read"})
_ADMIN = _P({"org.update", "user.manage", "apikey.manage"})

MATRIX: dict[tuple[OrgType, Role], frozenset[str]] = {
    # Province authority (e.g. 浙江省经济和信息化厅): registers brains, sees everything read-only.
    (OrgType.province_authority, Role.admin): _BASE
    | _ADMIN
    | _P(
        {
            "org.manage",
            "brain.manage",
            "enterprise.read_golden",
            "audit.read",
            "dashboard.government",
            "job.submit",
        }
    ),
    (OrgType.province_authority, Role.analyst): _BASE
    | _P({"enterprise.read_golden", "dashboard.government", "job.submit"}),
    (OrgType.province_authority, Role.member): _BASE | _P({"dashboard.government"}),
    # Government department of a city or county (e.g. 温岭市经济和信息化局).
    (OrgType.gov_department, Role.admin): _BASE
    | _ADMIN
    | _P({"enterprise.read_golden", "audit.read", "dashboard.government", "policy.manage"}),
    (OrgType.gov_department, Role.analyst): _BASE
    | _P({"enterprise.read_golden", "dashboard.government"}),
    (OrgType.gov_department, Role.member): _BASE | _P({"dashboard.government"}),
    # Brain operator (大脑公司): runs the platform of its brains.
    (OrgType.operator, Role.admin): _BASE
    | _ADMIN
    | _P(
        {
            "org.manage",
            "brain.manage",
            "enterprise.read_golden",
            "enterprise.review",
            "warehouse.manage",
            "job.submit",
            "audit.read",
            "capability.publish",
            "exchange.publish",
        }
    ),
    (OrgType.operator, Role.analyst): _BASE
    | _P({"enterprise.read_golden", "warehouse.manage", "job.submit"}),
    (OrgType.operator, Role.reviewer): _BASE | _P({"enterprise.read_golden", "enterprise.review"}),
    (OrgType.operator, Role.member): _BASE,
    # Enterprise of the cluster.
    (OrgType.enterprise, Role.admin): _BASE
    | _ADMIN
    | _P(
        {
            "enterprise.read_own",
            "capability.subscribe",
            "trade.order",
            "finance.apply",
        }
    ),
    (OrgType.enterprise, Role.member): _BASE
    | _P({"enterprise.read_own", "capability.subscribe", "trade.order"}),
    # Service provider: offers components and apps.
    (OrgType.provider, Role.admin): _BASE | _ADMIN | _P({"capability.publish"}),
    (OrgType.provider, Role.member): _BASE,
    # Financier: bank or factoring company of supply-chain finance.
    (OrgType.financier, Role.admin): _BASE | _ADMIN | _P({"finance.review"}),
    (OrgType.financier, Role.reviewer): _BASE | _P({"finance.review"}),
    (OrgType.financier, Role.member): _BASE,
}


def permissions_for(org_type: OrgType | str, role: Role | str) -> frozenset[str]:
    """Permissions of ``role`` in an organisation of ``org_type`` (empty when not a valid pair)."""
    try:
        return MATRIX.get((OrgType(org_type), Role(role)), frozenset())
    except ValueError:
        return frozenset()


def roles_for(org_type: OrgType | str) -> tuple[Role, ...]:
    return ROLES_BY_TYPE[OrgType(org_type)]


@lru_cache(maxsize=64)
def max_permissions(org_type: OrgType | str) -> frozenset[str]:
    """Union over the roles of the type: the most an API key of such an organisation may hold."""
    result: frozenset[str] = frozenset()
    for role in roles_for(org_type):
        result |= permissions_for(org_type, role)
    return result


def render_markdown() -> str:
    """The text of ``docs/permissions.md``."""
    lines = [
        "# Permissions",
        "",
        "Generated from `src/industrybrain/modules/identity/permissions.py` by",
        "`industrybrain users permissions-doc > docs/permissions.md`; a test checks that they agree.",
        "",
        "A permission is held inside the principal's own organisation (and the brains it",
        "operates) unless its scope is `platform`. Objects of another organisation answer 404,",
        "never 403. An API key holds a subset of what its organisation type may hold, chosen",
        "when it is created.",
        "",
        "## Organisation types and roles",
        "",
        "| type | 中文 | English | roles |",
        "|---|---|---|---|",
    ]
    for org_type in OrgType:
        zh, en = ORG_TYPE_LABELS[org_type]
        roles = ", ".join(f"`{r.value}`" for r in roles_for(org_type))
        lines.append(f"| `{org_type.value}` | {zh} | {en} | {roles} |")
    lines += ["", "| role | meaning |", "|---|---|"]
    for role in Role:
        lines.append(f"| `{role.value}` | {ROLE_DESCRIPTIONS[role]} |")
    lines += ["", "## Permissions", "", "| permission | scope | meaning |", "|---|---|---|"]
    for permission in PERMISSIONS:
        lines.append(f"| `{permission.name}` | {permission.scope} | {permission.description} |")
    columns = [(t, r) for t in OrgType for r in roles_for(t)]
    lines += [
        "",
        "## Matrix",
        "",
        "Columns are `type/role`; ✓ = granted.",
        "",
        "| permission | " + " | ".join(f"{t.value}/{r.value}" for t, r in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for permission in PERMISSIONS:
        cells = ["✓" if permission.name in permissions_for(t, r) else "" for t, r in columns]
        lines.append(f"| `{permission.name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
