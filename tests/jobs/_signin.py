"""Sign a test client in as a platform user, now that the jobs API needs a principal."""

from __future__ import annotations

from fastapi.testclient import TestClient

JOBS_PASSWORD = "jobs-admin-password"


def sign_in(test_client: TestClient) -> TestClient:
    """Create a province authority admin (``job.submit``; ``org.manage``: it sees every job, as
    these tests expect) and send its bearer token with every request of ``test_client``."""
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.modules.identity import service
    from industrybrain.runtime import get_database

    with unscoped("test setup"), get_database().session_scope() as session:
        org = service.create_organization(
            session, org_type="province_authority", name_zh="省经信厅"
        )
        user = service.create_user(session, username="jobs-admin", password=JOBS_PASSWORD)
        service.add_membership(session, user.id, org.id, "admin")
    token = test_client.post(
        "/api/auth/token", json={"username": "jobs-admin", "password": JOBS_PASSWORD}
    )
    assert token.status_code == 200, token.text
    test_client.headers["Authorization"] = "Bearer " + token.json()["access_token"]
    return test_client
