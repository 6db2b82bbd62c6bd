"""The permission matrix is consistent data, and docs/permissions.md is generated from it."""

from __future__ import annotations

from pathlib import Path

from industrybrain.modules.identity.permissions import (
    MATRIX,
    PERMISSION_NAMES,
    ROLES_BY_TYPE,
    OrgType,
    Role,
    max_permissions,
    permissions_for,
    render_markdown,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_docs_permissions_md_is_generated_from_the_matrix() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/permissions.md is stale: run `industrybrain users permissions-doc > "
        "docs/permissions.md`"
    )


def test_matrix_covers_exactly_the_declared_roles() -> None:
    declared = {(t, r) for t, roles in ROLES_BY_TYPE.items() for r in roles}
    assert set(MATRIX) == declared
    assert set(ROLES_BY_TYPE) == set(OrgType)
    for granted in MATRIX.values():
        assert granted <= PERMISSION_NAMES


def test_every_permission_is_granted_to_someone_and_admin_holds_most() -> None:
    granted = set().union(*MATRIX.values())
    assert granted == PERMISSION_NAMES
    for org_type in OrgType:
        admin = permissions_for(org_type, Role.admin)
        assert {"user.manage", "apikey.manage", "org.read"} <= admin
        assert admin == max_permissions(org_type) or org_type in {
            OrgType.operator,
            OrgType.financier,
            OrgType.province_authority,
        }


def test_only_platform_types_manage_organisations_and_brains() -> None:
    holders = {t for (t, _r), perms in MATRIX.items() if "org.manage" in perms}
    assert holders == {OrgType.province_authority, OrgType.operator}
    brain_managers = {t for (t, _r), perms in MATRIX.items() if "brain.manage" in perms}
    assert brain_managers == {OrgType.province_authority, OrgType.operator}


def test_invalid_pairs_have_no_permissions() -> None:
    assert permissions_for("enterprise", "reviewer") == frozenset()
    assert permissions_for("nonsense", "admin") == frozenset()
