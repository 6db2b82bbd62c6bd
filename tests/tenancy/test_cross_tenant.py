"""Cross-tenant matrix and canary sweep (issue 3, acceptance 1 and 2).

Every route of the app (taken from ``app.routes``: a route missing from ``ROUTES`` fails the
test) is called by every actor of tenant A (an admin of each organisation type with a bearer
token, an enterprise admin with the session cookie and CSRF token, an API key, anonymous) with
the ids of tenant B's objects of the route's type. For each request:

- no server error;
- a private object of B answers exactly as an object that does not exist (no disclosure, no
  enumeration: same status, same body);
- after every write, B's rows are unchanged (except the rows a platform permission reaches by
  design: ``org.manage`` on organisations, users and memberships, the province authority's
  ``brain.manage`` on every brain);
- no canary planted in B's private text fields appears in any response body, header or log
  line that A's actors receive.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from industrybrain.kit.tenancy import unscoped

from .world import PASSWORD, Tenant, build_world, snapshot

MISSING = 900_001  # an id no object has

Fill = Callable[["Actor", Tenant, Any], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """How to exercise a route: the type of foreign object it is called with (``kind``) and a
    function giving its path parameters, query and body for an actor and one foreign id."""

    kind: str = "none"
    fill: Fill | None = None
    private: bool = True
    """Objects of this kind are private to their tenant (a foreign one answers as missing)."""
    listing: bool = False
    """A list filtered by the foreign id: 200 is fine, but the same answer as for a missing id."""


@dataclass
class Actor:
    name: str
    headers: dict[str, str]
    org_type: str | None  # None: anonymous
    org_id: int | None = None
    user_id: int | None = None
    permissions: frozenset[str] = frozenset()
    reach: set[str] = field(default_factory=set)  # tables of B a platform permission reaches

    @property
    def platform_orgs(self) -> bool:
        return "org.manage" in self.permissions


def _id(value: Any) -> dict[str, Any]:
    return {}


def P(**params: Any) -> dict[str, Any]:
    return {"path": params}


# Route table: (method, path) -> how to call it. Keep in step with the app.
def _org(a: Actor, b: Tenant, x: Any) -> dict[str, Any]:
    return {"path": {"organization_id": x}}


ROUTES: dict[tuple[str, str], Route] = {
    # system and documentation
    ("GET", "/health"): Route(),
    ("GET", "/api/openapi.json"): Route(),
    ("GET", "/api/docs"): Route(),
    ("GET", "/docs/oauth2-redirect"): Route(),
    ("GET", "/"): Route(),
    # jobs
    ("GET", "/api/jobs"): Route(fill=lambda a, b, x: {"query": {"with_total": "true"}}),
    ("GET", "/api/jobs/{job_id}"): Route("job", lambda a, b, x: P(job_id=x)),
    ("POST", "/api/jobs"): Route(fill=lambda a, b, x: {"json": {"kind": "system.echo"}}),
    ("POST", "/api/jobs/{job_id}/cancel"): Route("job", lambda a, b, x: P(job_id=x)),
    ("GET", "/jobs/{job_id}/progress"): Route("job", lambda a, b, x: P(job_id=x)),
    ("POST", "/jobs/{job_id}/cancel"): Route("job", lambda a, b, x: P(job_id=x) | {"form": {}}),
    ("POST", "/jobs/submit"): Route(fill=lambda a, b, x: {"form": {"kind": "system.echo"}}),
    ("GET", "/jobs"): Route(),
    ("GET", "/jobs/new"): Route(),
    ("POST", "/jobs/new"): Route(fill=lambda a, b, x: {"form": {"kind": "system.echo"}}),
    ("GET", "/jobs/{key}"): Route("job", lambda a, b, x: P(key=x)),
    # authentication
    ("POST", "/api/auth/login"): Route(
        "username", lambda a, b, x: {"json": {"username": x, "password": "wrong password"}}
    ),
    ("POST", "/api/auth/token"): Route(
        "username", lambda a, b, x: {"json": {"username": x, "password": "wrong password"}}
    ),
    ("GET", "/api/auth/me"): Route(),
    ("GET", "/login"): Route(),
    ("POST", "/login"): Route(
        "username", lambda a, b, x: {"form": {"username": x, "password": "wrong password"}}
    ),
    # organisations, members, users, API keys
    ("GET", "/api/orgs"): Route(),
    ("POST", "/api/orgs"): Route(
        fill=lambda a, b, x: {"json": {"type": "enterprise", "name_zh": f"new-{a.name}"}}
    ),
    ("GET", "/api/orgs/{organization_id}"): Route("org", _org),
    ("PATCH", "/api/orgs/{organization_id}"): Route(
        "org", lambda a, b, x: _org(a, b, x) | {"json": {"name_zh": "changed"}}
    ),
    ("GET", "/api/orgs/{organization_id}/members"): Route("org", _org),
    ("POST", "/api/orgs/{organization_id}/members"): Route(
        "org",
        lambda a, b, x: _org(a, b, x) | {"json": {"user_id": a.user_id or 1, "role": "member"}},
    ),
    ("PATCH", "/api/orgs/{organization_id}/members/{user_id}"): Route(
        "member",
        lambda a, b, x: P(organization_id=x[0], user_id=x[1]) | {"json": {"role": "member"}},
    ),
    ("DELETE", "/api/orgs/{organization_id}/members/{user_id}"): Route(
        "member", lambda a, b, x: P(organization_id=x[0], user_id=x[1])
    ),
    ("GET", "/api/users"): Route("org", lambda a, b, x: {"query": {"organization_id": x}}),
    ("POST", "/api/users"): Route(
        "org",
        lambda a, b, x: {
            "json": {"username": f"u{x}-{a.name}", "password": PASSWORD, "organization_id": x}
        },
    ),
    ("GET", "/api/users/{user_id}"): Route("user", lambda a, b, x: P(user_id=x)),
    ("PATCH", "/api/users/{user_id}"): Route(
        "user", lambda a, b, x: P(user_id=x) | {"json": {"display_name": "changed"}}
    ),
    ("GET", "/api/api-keys"): Route(),
    ("POST", "/api/api-keys"): Route(
        fill=lambda a, b, x: {"json": {"name": "k", "permissions": ["org.read"]}}
    ),
    ("GET", "/api/api-keys/{api_key_id}"): Route("api_key", lambda a, b, x: P(api_key_id=x)),
    ("POST", "/api/api-keys/{api_key_id}/revoke"): Route(
        "api_key", lambda a, b, x: P(api_key_id=x)
    ),
    # brain templates (public reference)
    ("GET", "/api/templates"): Route(),
    ("GET", "/api/templates/{template_id}"): Route(
        "template", lambda a, b, x: P(template_id=x), private=False
    ),
    ("GET", "/api/templates/{template_id}/categories/{code}/attributes"): Route(
        "template", lambda a, b, x: P(template_id=x, code="pump"), private=False
    ),
    ("GET", "/templates"): Route(),
    ("GET", "/templates/{template_id}"): Route(
        "template", lambda a, b, x: P(template_id=x), private=False
    ),
    # brain registry (a public directory: foreign brains are visible, never changed)
    ("GET", "/api/brains"): Route(),
    ("POST", "/api/brains"): Route(
        "org",
        lambda a, b, x: {
            "json": {
                "code": f"new-{a.name}-{x}",
                "name_zh": "新大脑",
                "industry_class": "3441",
                "region_code": "331081",
                "operator_organization_id": b.orgs["operator"],
            }
        },
    ),
    ("GET", "/api/brains/{brain_id}"): Route("brain", lambda a, b, x: P(brain_id=x), private=False),
    ("PATCH", "/api/brains/{brain_id}"): Route(
        "brain", lambda a, b, x: P(brain_id=x) | {"json": {"name_zh": "changed"}}, private=False
    ),
    ("POST", "/api/brains/{brain_id}/status"): Route(
        "brain",
        lambda a, b, x: P(brain_id=x) | {"json": {"status": "suspended", "reason": "x"}},
        private=False,
    ),
    ("GET", "/api/brains/{brain_id}/events"): Route(
        "brain", lambda a, b, x: P(brain_id=x), private=False
    ),
    ("GET", "/api/brains/{brain_id}/partitions"): Route(
        "brain", lambda a, b, x: P(brain_id=x), private=False
    ),
    ("POST", "/api/brains/{brain_id}/partitions"): Route(
        "brain",
        lambda a, b, x: P(brain_id=x) | {"json": {"region_code": "331081", "name": f"p-{a.name}"}},
        private=False,
    ),
    ("POST", "/api/brains/{brain_id}/partitions/merge"): Route(
        "brain",
        lambda a, b, x: (
            P(brain_id=x) | {"json": {"source_id": b.partitions[1], "target_id": b.partitions[0]}}
        ),
        private=False,
    ),
    ("GET", "/api/brains/{brain_id}/enterprises"): Route(
        "brain", lambda a, b, x: P(brain_id=x), private=False
    ),
    ("POST", "/api/brains/{brain_id}/enterprises"): Route(
        "brain",
        lambda a, b, x: P(brain_id=x) | {"json": {"enterprise_key": f"k-{a.name}"}},
        private=False,
    ),
    # audit log
    ("GET", "/api/audit"): Route(
        "org", lambda a, b, x: {"query": {"organization_id": x}}, listing=True
    ),
    ("GET", "/api/audit/head"): Route(),
    ("POST", "/api/audit/verify"): Route(fill=lambda a, b, x: {"json": {}}),
    ("GET", "/audit/verify"): Route(),
    ("POST", "/audit/verify"): Route(fill=lambda a, b, x: {"form": {}}),
    ("GET", "/audit"): Route("audit", lambda a, b, x: {"query": {"seq": x}}, listing=True),
    ("GET", "/audit/{key}"): Route("audit", lambda a, b, x: P(key=x)),
    # admin pages
    ("GET", "/admin/orgs"): Route(),
    ("POST", "/admin/orgs"): Route(
        fill=lambda a, b, x: {"form": {"type": "enterprise", "name_zh": f"form-{a.name}"}}
    ),
    ("GET", "/admin/orgs/{organization_id}"): Route("org", _org),
    ("POST", "/admin/orgs/{organization_id}/users"): Route(
        "org",
        lambda a, b, x: (
            _org(a, b, x)
            | {"form": {"username": f"f{x}-{a.name}", "password": PASSWORD, "role": "member"}}
        ),
    ),
    ("POST", "/admin/orgs/{organization_id}/members/{user_id}/role"): Route(
        "member",
        lambda a, b, x: P(organization_id=x[0], user_id=x[1]) | {"form": {"role": "member"}},
    ),
    ("POST", "/admin/orgs/{organization_id}/members/{user_id}/remove"): Route(
        "member", lambda a, b, x: P(organization_id=x[0], user_id=x[1]) | {"form": {}}
    ),
    ("GET", "/admin/users"): Route(),
    ("POST", "/admin/users/{user_id}/disabled"): Route(
        "user", lambda a, b, x: P(user_id=x) | {"form": {"disabled": "true"}}
    ),
    ("GET", "/admin/api-keys"): Route(),
    ("POST", "/admin/api-keys"): Route(
        fill=lambda a, b, x: {"form": {"name": "form key", "permissions": "org.read"}}
    ),
    ("POST", "/admin/api-keys/{api_key_id}/revoke"): Route(
        "api_key", lambda a, b, x: P(api_key_id=x) | {"form": {}}
    ),
    ("GET", "/admin/brains"): Route(
        fill=lambda a, b, x: {"query": {"region": "3310", "industry": "C"}}
    ),
    ("POST", "/admin/brains"): Route(
        "org",
        lambda a, b, x: {
            "form": {
                "code": f"form-{a.name}-{x}",
                "name_zh": "表单大脑",
                "industry_class": "3441",
                "region_code": "331081",
                "operator_organization_id": b.orgs["operator"],
            }
        },
    ),
    ("GET", "/admin/brains/{brain_id}"): Route(
        "brain", lambda a, b, x: P(brain_id=x), private=False
    ),
    ("POST", "/admin/brains/{brain_id}"): Route(
        "brain", lambda a, b, x: P(brain_id=x) | {"form": {"name_zh": "changed"}}, private=False
    ),
    ("POST", "/admin/brains/{brain_id}/status"): Route(
        "brain", lambda a, b, x: P(brain_id=x) | {"form": {"status": "suspended"}}, private=False
    ),
    ("POST", "/admin/brains/{brain_id}/partitions/merge"): Route(
        "brain",
        lambda a, b, x: (
            P(brain_id=x) | {"form": {"source_id": b.partitions[1], "target_id": b.partitions[0]}}
        ),
        private=False,
    ),
    # CPMS: standards are public reference, product records belong to their enterprise
    ("GET", "/api/cpms/standards"): Route(),
    ("GET", "/api/cpms/standards/{code}"): Route(
        "standard", lambda a, b, x: P(code=x), private=False
    ),
    ("GET", "/api/cpms/standards/{code}/diff"): Route(
        "standard",
        lambda a, b, x: P(code=x) | {"query": {"old": "1.0.0", "new": "1.0.0"}},
        private=False,
    ),
    ("GET", "/api/cpms/products"): Route(fill=lambda a, b, x: {"query": {"limit": "50"}}),
    ("GET", "/api/cpms/products/{product_id}"): Route("product", lambda a, b, x: P(product_id=x)),
    ("GET", "/cpms/standards"): Route(),
    ("GET", "/cpms/standards/{key}"): Route("standard", lambda a, b, x: P(key=x), private=False),
    ("GET", "/cpms/products"): Route(),
    ("GET", "/cpms/products/{key}"): Route("product_code", lambda a, b, x: P(key=x)),
    # warehouse: sources and runs belong to their owner organisation
    ("GET", "/api/warehouse/runs/{run_id}"): Route("run", lambda a, b, x: P(run_id=x)),
    ("GET", "/api/warehouse/lineage"): Route(
        "source",
        lambda a, b, x: {"query": {"table": "dim_enterprise", "key": str(x)}},
        listing=True,
    ),
    ("GET", "/warehouse/lineage"): Route(
        "source",
        lambda a, b, x: {"query": {"table": "dim_enterprise", "key": str(x)}},
        listing=True,
    ),
    ("GET", "/warehouse/runs"): Route(),
    ("GET", "/warehouse/runs/{key}"): Route("run", lambda a, b, x: P(key=x)),
    ("GET", "/warehouse/sources"): Route(),
    ("GET", "/warehouse/sources/new"): Route(),
    ("POST", "/warehouse/sources/new"): Route(
        "org",
        lambda a, b, x: {
            "form": {
                "code": f"src_{a.name}_{x}".replace("-", "_"),
                "name": "new source",
                "organization_id": str(x),
                "classification": "企业数据",
                "grade": "2",
                "entity": "enterprise",
                "mapping": '[{"column": "企业名称", "field": "name"}]',
            }
        },
    ),
    ("GET", "/warehouse/sources/{key}"): Route("source", lambda a, b, x: P(key=x)),
    ("GET", "/warehouse/sources/{code}/quarantine"): Route("source", lambda a, b, x: P(code=x)),
    ("GET", "/warehouse/sources/{code}/quarantine.csv"): Route("source", lambda a, b, x: P(code=x)),
    # last: they end the actor's session
    ("POST", "/api/auth/logout"): Route(),
    ("POST", "/logout"): Route(fill=lambda a, b, x: {"form": {}}),
}
STATIC_MOUNTS = {"/static"}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route of the app, included routers flattened."""

    def walk(routes: Any) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):
                yield from route.effective_route_contexts()
            elif hasattr(route, "routes") and not hasattr(route, "methods"):
                if getattr(route, "path", None) in STATIC_MOUNTS:
                    continue
                yield from walk(route.routes)
            else:
                yield route

    found = set()
    for route in walk(app.routes):
        methods = set(getattr(route, "methods", None) or ()) - {"HEAD"}
        for method in methods:
            found.add((method, route.path))
    return found


def foreign_ids(b: Tenant, kind: str) -> list[Any]:
    return {
        "none": [None],
        "org": list(b.orgs.values()),
        "user": list(b.users.values()),
        "member": [(b.orgs[t], b.users[t]) for t in b.orgs],
        "api_key": list(b.api_keys.values()),
        "job": list(b.jobs),
        "audit": list(b.audit_seqs),
        "brain": [b.brain],
        "template": ["pumps-valves"],
        "username": list(b.usernames.values()),
        "standard": ["pumps-valves"],
        "product": list(b.products),
        "product_code": list(b.product_codes),
        "source": list(b.sources),
        "run": list(b.runs),
    }[kind]


def missing_id(kind: str) -> Any:
    return {
        "member": (MISSING, MISSING + 1),
        "username": "no-such-user-anywhere",
        "product_code": "CT0000000000",
        "source": "no-such-source",
    }.get(kind, MISSING)


def foreign_to(actor: Actor, kind: str) -> bool:
    """Whether B's objects of ``kind`` must look missing to ``actor``."""
    if kind in ("org", "user", "member"):
        return not actor.platform_orgs
    return kind in (
        "api_key",
        "job",
        "audit",
        "username",
        "product",
        "product_code",
        "source",
        "run",
    )


# -- the app and the actors ------------------------------------------------------------------


@pytest.fixture
def matrix_client(ib_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _matrix_client(monkeypatch)


@pytest.fixture
def pg_matrix_client(pg_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _matrix_client(monkeypatch)


def _matrix_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from industrybrain.app import create_app
    from industrybrain.config import reset_settings
    from industrybrain.plugins import reset_plugin_manager

    monkeypatch.setenv("IB_DISABLED_PLUGINS", "[]")  # the full app: every plugin
    reset_settings()
    reset_plugin_manager()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def make_actors(client: TestClient, a: Tenant) -> list[Actor]:
    from industrybrain.modules.identity.permissions import permissions_for

    actors = []
    for org_type, username in a.usernames.items():
        token = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
        assert token.status_code == 200, token.text
        permissions = permissions_for(org_type, "admin")
        actors.append(
            Actor(
                f"{org_type}-admin",
                {"Authorization": "Bearer " + token.json()["access_token"]},
                org_type,
                a.orgs[org_type],
                a.users[org_type],
                permissions,
                _reach(org_type, permissions),
            )
        )
    login = client.post(
        "/api/auth/login", json={"username": a.usernames["enterprise"], "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    cookie = client.cookies.get("ib_session")
    client.cookies.clear()
    permissions = permissions_for("enterprise", "admin")
    actors.append(
        Actor(
            "enterprise-cookie",
            {"Cookie": f"ib_session={cookie}", "X-CSRF-Token": login.json()["csrf_token"]},
            "enterprise",
            a.orgs["enterprise"],
            a.users["enterprise"],
            permissions,
        )
    )
    actors.append(
        Actor(
            "enterprise-api-key",
            {"X-API-Key": a.api_key_secrets["enterprise"]},
            "enterprise",
            a.orgs["enterprise"],
            None,
            permissions_for("enterprise", "admin"),
        )
    )
    actors.append(Actor("anonymous", {}, None))
    return actors


def _reach(org_type: str, permissions: frozenset[str]) -> set[str]:
    reach: set[str] = set()
    if "org.manage" in permissions:
        reach |= {
            "identity_organization",
            "identity_user",
            "identity_membership",
            "identity_session",
            "audit_entry",
        }
    if "brain.manage" in permissions and org_type == "province_authority":
        reach |= {"brain", "brain_partition", "brain_enterprise", "brain_event", "audit_entry"}
    return reach


# -- running one request ---------------------------------------------------------------------


@dataclass
class Outcome:
    requests: int = 0
    problems: list[str] = field(default_factory=list)
    received: list[tuple[str, str, str]] = field(default_factory=list)  # actor, request, text


def call(client: TestClient, actor: Actor, method: str, path: str, spec: dict[str, Any]) -> Any:
    url = path
    for name, value in spec.get("path", {}).items():
        url = url.replace("{" + name + "}", quote(str(value), safe=""))
    kwargs: dict[str, Any] = {"headers": dict(actor.headers), "params": spec.get("query")}
    if "json" in spec:
        kwargs["json"] = spec["json"]
    elif "form" in spec:
        kwargs["data"] = spec["form"]
    response = client.request(method, url, follow_redirects=False, **kwargs)
    return url, response


def _normalised(response: Any, url: str, *values: Any) -> tuple[int, str]:
    """Status and body, with the URL and the ids asked for masked (both answers get the same
    masking, so that an id that happens to appear elsewhere cannot make them differ)."""
    body = response.text
    for value in values:
        if value is not None and not isinstance(value, tuple):
            pattern = rf"(?<![0-9A-Za-z]){re.escape(str(value))}(?![0-9A-Za-z])"
            body = re.sub(pattern, "<X>", body)
    for variant in {url, quote(url, safe=""), url.split("?")[0]}:
        body = body.replace(variant, "<URL>")
    # Request ids differ from one request to the next.
    body = re.sub(r"[0-9a-f]{32}", "<ID>", body)
    return response.status_code, body


def run_matrix(client: TestClient, a: Tenant, b: Tenant, actors: list[Actor]) -> Outcome:
    from industrybrain.runtime import get_database

    outcome = Outcome()
    database = get_database()
    for actor in actors:
        for (method, path), route in ROUTES.items():
            for foreign in foreign_ids(b, route.kind):
                spec = route.fill(actor, b, foreign) if route.fill else {}
                write = method not in ("GET", "HEAD")
                if write:
                    with database.session_scope() as session:
                        before = snapshot(session, b)
                url, response = call(client, actor, method, path, spec)
                outcome.requests += 1
                label = f"{actor.name} {method} {url}"
                outcome.received.append(
                    (actor.name, label, response.text + "\n" + str(dict(response.headers)))
                )
                if response.status_code >= 500:
                    outcome.problems.append(f"{label}: server error {response.status_code}")
                if write:
                    with database.session_scope() as session:
                        after = snapshot(session, b)
                    for table in before:
                        if table not in actor.reach and before[table] != after[table]:
                            outcome.problems.append(f"{label}: changed B's {table}")
                if route.private and foreign is not None and foreign_to(actor, route.kind):
                    if (
                        response.status_code < 400
                        and response.status_code != 303
                        and not (route.listing)
                    ):
                        outcome.problems.append(f"{label}: {response.status_code} for B's object")
                    if method == "GET" or route.kind == "username":
                        twin = route.fill(actor, b, missing_id(route.kind)) if route.fill else {}
                        twin_url, twin_response = call(client, actor, method, path, twin)
                        outcome.requests += 1
                        if route.kind == "username":
                            # Throttling may begin between the two; compare the class only.
                            same = (response.status_code in (401, 403, 429)) and (
                                twin_response.status_code in (401, 403, 429)
                            )
                        else:
                            ids = (foreign, missing_id(route.kind))
                            same = _normalised(response, url, *ids) == _normalised(
                                twin_response, twin_url, *ids
                            )
                        if not same:
                            outcome.problems.append(
                                f"{label}: answers differently from a missing object "
                                f"({response.status_code} vs {twin_response.status_code})"
                            )
    return outcome


def positive_controls(client: TestClient, a: Tenant, actors: list[Actor]) -> list[str]:
    """The same routes work for the actor's own objects (so 404s above are not an accident)."""
    problems = []
    for actor in actors:
        if actor.org_id is None or actor.name.endswith("api-key"):
            continue
        checks = [("GET", f"/api/orgs/{actor.org_id}")]
        if actor.user_id:
            checks.append(("GET", f"/api/users/{actor.user_id}"))
        if "apikey.manage" in actor.permissions:
            checks.append(("GET", f"/api/api-keys/{a.api_keys[actor.org_type or '']}"))
        if actor.org_type == "enterprise":
            checks.append(("GET", f"/api/cpms/products/{a.products[0]}"))
            checks.append(("GET", f"/cpms/products/{a.product_codes[0]}"))
        if actor.org_type in ("operator", "enterprise") and "warehouse.manage" in actor.permissions:
            index = 0 if actor.org_type == "operator" else 1
            checks.append(("GET", f"/warehouse/sources/{a.sources[index]}"))
            checks.append(("GET", f"/api/warehouse/runs/{a.runs[index]}"))
        for method, url in checks:
            response = client.request(method, url, headers=actor.headers)
            if response.status_code != 200:
                problems.append(f"{actor.name} {url}: {response.status_code} for its own object")
    return problems


def test_every_route_is_in_the_matrix(matrix_client: TestClient) -> None:
    routes = app_routes(matrix_client.app)
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert not missing, f"routes without a cross-tenant entry: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"


def test_cross_tenant_matrix_and_canaries(
    matrix_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    check_matrix(matrix_client, caplog, actor_names=None, minimum_requests=3000)


@pytest.mark.postgres
def test_cross_tenant_matrix_on_postgres(
    pg_matrix_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The smaller variant: every route, four actors, on PostgreSQL."""
    names = {"operator-admin", "enterprise-admin", "enterprise-api-key", "anonymous"}
    check_matrix(pg_matrix_client, caplog, actor_names=names, minimum_requests=800)


def check_matrix(
    matrix_client: TestClient,
    caplog: pytest.LogCaptureFixture,
    *,
    actor_names: set[str] | None,
    minimum_requests: int,
) -> None:
    from industrybrain.runtime import get_database

    caplog.set_level(logging.INFO)
    with unscoped("test world"), get_database().session_scope() as session:
        a, b = build_world(session)
    actors = make_actors(matrix_client, a)
    assert len(actors) == 9
    if actor_names is not None:
        actors = [actor for actor in actors if actor.name in actor_names]
    assert not positive_controls(matrix_client, a, actors)
    with get_database().session_scope() as session:
        untouchable = {
            t: rows
            for t, rows in snapshot(session, b).items()
            if t in ("job", "identity_api_key", "cpms_product") or t.startswith("warehouse_")
        }

    outcome = run_matrix(matrix_client, a, b, actors)

    assert outcome.requests >= minimum_requests, outcome.requests
    assert not outcome.problems, "\n".join(outcome.problems[:40])
    # Canary sweep: nothing of B's private text reached A's actors (pages, API, errors,
    # headers, logs). org.manage sees every organisation and user by design.
    leaks = []
    platform = {actor.name for actor in actors if actor.platform_orgs}
    private = b.all_canaries({"api_key", "job", "audit", "product", "warehouse"})
    identity = b.all_canaries({"org", "user"})
    for actor_name, label, received in outcome.received:
        forbidden = private if actor_name in platform else private | identity
        found = [c for c in forbidden if c in received]
        if found:
            leaks.append(f"{label}: {found[:3]}")
    log_text = "\n".join(record.getMessage() for record in caplog.records)
    leaks += [f"log: {c}" for c in private | identity if c in log_text]
    assert not leaks, "\n".join(leaks[:40])
    # Jobs and API keys of B are out of every A actor's reach: unchanged at the end.
    with get_database().session_scope() as session:
        after = {t: rows for t, rows in snapshot(session, b).items() if t in untouchable}
    assert after == untouchable
