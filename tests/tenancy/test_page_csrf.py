"""Generic ListPage forms (``POST <page>/new``) need the CSRF token of a cookie session."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from identity.conftest import World, bearer, login, world  # noqa: F401
from industrybrain.kit.tenancy import unscoped
from industrybrain.runtime import get_database

from .test_cross_tenant import matrix_client as client  # noqa: F401


def _job_count() -> int:
    from sqlalchemy import func, select

    from industrybrain.modules.jobs.models import Job

    with unscoped("test check"), get_database().session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_generic_form_post_needs_the_csrf_token(client: TestClient, world: World) -> None:  # noqa: F811
    login(client, "op_admin")
    data = {"kind": "system.echo", "payload": '{"a": 1}'}
    refused = client.post("/jobs/new", data=data, follow_redirects=False)
    assert refused.status_code == 403
    forged = client.post("/jobs/new", data={**data, "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert _job_count() == 0

    form = client.get("/jobs/new")
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None and token.group(1)
    invalid = client.post(
        "/jobs/new", data={**data, "payload": "[1]", "csrf_token": token.group(1)}
    )
    assert invalid.status_code == 422
    # The re-rendered form carries the token again, so the user can correct and resubmit.
    assert 'name="csrf_token" value="' in invalid.text
    accepted = client.post(
        "/jobs/new", data={**data, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert _job_count() == 1
    # The header works too (HTMX requests send it).
    via_header = client.post(
        "/jobs/new",
        data=data,
        headers={"X-CSRF-Token": token.group(1), "HX-Request": "true"},
        follow_redirects=False,
    )
    assert via_header.status_code == 204
    assert _job_count() == 2


def test_bearer_clients_need_no_csrf_token(client: TestClient, world: World) -> None:  # noqa: F811
    client.cookies.clear()
    headers = bearer(client, "op_admin")
    form = client.get("/jobs/new", headers=headers)
    assert form.status_code == 200 and 'name="csrf_token"' not in form.text
    answer = client.post(
        "/jobs/new",
        data={"kind": "system.echo", "payload": "{}"},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert _job_count() == 1
