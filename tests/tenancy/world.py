"""Two tenant worlds (A and B) for the cross-tenant tests: one organisation per type in each,
an admin per organisation, API keys, jobs, audit entries, a brain with partitions, cluster
enterprises and events; every private text field of B carries a unique canary string."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.identity.permissions import OrgType, max_permissions

PASSWORD = "cross-tenant-password"
ORG_TYPES = [t.value for t in OrgType]
_counter = itertools.count(1)


def canary(tenant: str) -> str:
    return f"CNRY{tenant.upper()}{next(_counter):05d}Q"


@dataclass
class Tenant:
    name: str
    orgs: dict[str, int] = field(default_factory=dict)  # org type -> id
    users: dict[str, int] = field(default_factory=dict)  # org type -> admin user id
    usernames: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, int] = field(default_factory=dict)  # org type -> key id
    api_key_secrets: dict[str, str] = field(default_factory=dict)
    jobs: list[int] = field(default_factory=list)
    audit_seqs: list[int] = field(default_factory=list)
    brain: int = 0
    partitions: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)  # CPMS products of the enterprise
    product_codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # warehouse source codes
    runs: list[int] = field(default_factory=list)  # warehouse runs
    canaries: dict[str, set[str]] = field(default_factory=dict)  # kind -> canaries

    def plant(self, kind: str) -> str:
        value = canary(self.name)
        self.canaries.setdefault(kind, set()).add(value)
        return value

    def all_canaries(self, kinds: set[str] | None = None) -> set[str]:
        return {
            c for k, values in self.canaries.items() if kinds is None or k in kinds for c in values
        }


def build_tenant(session: Session, name: str) -> Tenant:
    from industrybrain.modules.audit import service as audit
    from industrybrain.modules.audit.schemas import Actor
    from industrybrain.modules.brain import service as brains
    from industrybrain.modules.identity import service as identity
    from industrybrain.modules.jobs import service as jobs
    from industrybrain.modules.jobs.models import Job

    tenant = Tenant(name)
    for org_type in ORG_TYPES:
        org = identity.create_organization(
            session,
            org_type=org_type,
            name_zh=f"{name}{org_type}{tenant.plant('org')}",
            name_en=tenant.plant("org"),
            region_code="331081",
        )
        tenant.orgs[org_type] = org.id
        username = f"{name}-{org_type}".replace("_", "-")
        user = identity.create_user(
            session,
            username=username,
            password=PASSWORD,
            display_name=tenant.plant("user"),
            email=f"{tenant.plant('user').lower()}@example.com",
        )
        identity.add_membership(session, user.id, org.id, "admin")
        tenant.users[org_type] = user.id
        tenant.usernames[org_type] = username
        principal = identity.Principal(
            organization_id=org.id,
            organization_type=org_type,
            permissions=max_permissions(org_type),
            method="bearer",
            user_id=user.id,
        )
        issued = identity.create_api_key(
            session,
            principal,
            organization_id=org.id,
            name=tenant.plant("api_key"),
            permissions=sorted(max_permissions(org_type)),
        )
        tenant.api_keys[org_type] = issued.api_key.id
        tenant.api_key_secrets[org_type] = issued.secret
        job = jobs.submit(
            session, "system.echo", {"note": tenant.plant("job")}, organization_id=org.id
        )
        stored = session.get(Job, job.id)
        assert stored is not None
        stored.message = tenant.plant("job")
        stored.log = tenant.plant("job") + "\n"
        stored.error = tenant.plant("job")
        tenant.jobs.append(job.id)
        entry = audit.record(
            session,
            actor=Actor(tenant.plant("audit"), id=user.id, organization_id=org.id),
            action="tenant.seed",
            object_type="seed",
            object_id=tenant.plant("audit"),
            change={"secret": tenant.plant("audit")},
        )
        tenant.audit_seqs.append(entry.seq)
    brain = brains.create_brain(
        session,
        None,
        code=f"brain-{name}",
        name_zh=f"{name}产业大脑",
        industry_class="3441",
        region_code="331081",
        operator_organization_id=tenant.orgs["operator"],
        status="operating",
    )
    tenant.brain = brain.id
    for part in ("east", "west"):
        partition = brains.create_partition(
            session, None, brain, region_code="331081", name=f"{name}-{part}"
        )
        tenant.partitions.append(partition.id)
    brains.add_enterprise(
        session, None, brain, enterprise_key=f"{name}-ent", partition_id=tenant.partitions[0]
    )
    _cpms_and_warehouse(session, tenant)
    session.flush()
    return tenant


def _cpms_and_warehouse(session: Session, tenant: Tenant) -> None:
    """A product record of the enterprise, a warehouse source and run of the operator."""
    from industrybrain.modules.cpms import service as cpms
    from industrybrain.modules.cpms.models import Product
    from industrybrain.modules.warehouse.models import WarehouseRun, WarehouseSource

    version = cpms.get_version(session, STANDARD)
    product = Product(
        organization_id=tenant.orgs["enterprise"],
        standard_version_id=version.id,
        product_code=f"CT{tenant.name.upper()}{next(_counter):08d}",
        category_code="pump",
        name=tenant.plant("product"),
        sku=tenant.plant("product"),
        handle=tenant.plant("product"),
        attributes={"note": tenant.plant("product")},
    )
    session.add(product)
    for org_type in ("operator", "enterprise"):
        source = WarehouseSource(
            organization_id=tenant.orgs[org_type],
            code=f"{tenant.name}_{org_type}_src",
            name=tenant.plant("warehouse"),
            provider=tenant.plant("warehouse"),
            classification="企业数据",
            grade=2,
            entity="enterprise",
            mapping=[],
            connector_options={},
        )
        run = WarehouseRun(
            organization_id=tenant.orgs[org_type],
            engine="duckdb",
            status="failed",
            step=tenant.plant("warehouse"),
            message=tenant.plant("warehouse"),
            hashes={},
        )
        session.add_all([source, run])
        session.flush()
        tenant.sources.append(source.code)
        tenant.runs.append(run.id)
    session.flush()
    tenant.products.append(product.id)
    tenant.product_codes.append(product.product_code)


STANDARD = "pumps-valves"


def build_world(session: Session) -> tuple[Tenant, Tenant]:
    from industrybrain.modules.cpms import repository as cpms_repository
    from industrybrain.modules.cpms import service as cpms

    with unscoped("test world"):
        if cpms_repository.standard_by_code(session, STANDARD) is None:
            cpms.seed_from_template(session, STANDARD)
        return build_tenant(session, "a"), build_tenant(session, "b")


# Rows owned by a tenant, table by table (volatile bookkeeping columns left out).
OWNED_ROWS: dict[str, tuple[str, str]] = {
    "identity_organization": ("*", "id IN ({orgs})"),
    "identity_user": (
        "id, username, email, display_name, password_hash, disabled",
        "id IN ({users})",
    ),
    "identity_membership": ("*", "organization_id IN ({orgs})"),
    "identity_api_key": (
        "id, prefix, secret_hash, name, organization_id, permissions, expires_at, revoked_at",
        "organization_id IN ({orgs})",
    ),
    "identity_session": ("id, user_id, organization_id, revoked_at", "organization_id IN ({orgs})"),
    "job": ("*", "organization_id IN ({orgs})"),
    "audit_entry": ("*", "organization_id IN ({orgs})"),
    "brain": ("*", "operator_organization_id IN ({orgs})"),
    "brain_partition": ("*", "organization_id IN ({orgs})"),
    "brain_enterprise": ("*", "organization_id IN ({orgs})"),
    "brain_event": ("*", "organization_id IN ({orgs})"),
    "cpms_product": ("*", "organization_id IN ({orgs})"),
    "cpms_mapping_memory": ("*", "organization_id IN ({orgs})"),
    "warehouse_source": ("*", "organization_id IN ({orgs})"),
    "warehouse_file": ("*", "organization_id IN ({orgs})"),
    "warehouse_run": ("*", "organization_id IN ({orgs})"),
    "warehouse_run_source": ("*", "organization_id IN ({orgs})"),
}


def snapshot(session: Session, tenant: Tenant) -> dict[str, list[tuple[Any, ...]]]:
    orgs = ", ".join(str(i) for i in tenant.orgs.values())
    users = ", ".join(str(i) for i in tenant.users.values())
    result: dict[str, list[tuple[Any, ...]]] = {}
    with unscoped("test snapshot"):
        for table, (columns, where) in OWNED_ROWS.items():
            sql = f"SELECT {columns} FROM {table} WHERE {where.format(orgs=orgs, users=users)}"
            result[table] = [tuple(r) for r in session.execute(text(sql + " ORDER BY 1"))]
    return result
