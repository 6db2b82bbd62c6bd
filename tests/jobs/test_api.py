"""The jobs API and HTML routes through HTTP (SQLite, no embedded worker)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _signin import sign_in
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from industrybrain.modules.jobs.models import Job


def _count_jobs() -> int:
    from industrybrain.runtime import get_database

    with get_database().session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_submit_get_and_list(client: TestClient) -> None:
    created = client.post("/api/jobs", json={"kind": "system.echo", "payload": {"x": [1, "二"]}})
    assert created.status_code == 201
    job = created.json()
    assert (job["kind"], job["status"], job["payload"], job["attempts"]) == (
        "system.echo",
        "queued",
        {"x": [1, "二"]},
        0,
    )
    assert job["created_at"].endswith("+00:00")

    detail = client.get(f"/api/jobs/{job['id']}")
    assert detail.status_code == 200 and detail.json() == job
    assert client.get("/api/jobs/424242").status_code == 404

    for _ in range(3):
        client.post("/api/jobs", json={"kind": "system.sleep", "payload": {"steps": 1}})
    page = client.get("/api/jobs", params={"limit": 2})
    assert page.status_code == 200
    body = page.json()
    assert body["limit"] == 2 and body["offset"] == 0
    assert body["has_more"] is True and body["total"] is None
    assert [item["id"] for item in body["items"]] == [job["id"] + 3, job["id"] + 2]
    assert "payload" not in body["items"][0] and "log" not in body["items"][0]

    last = client.get("/api/jobs", params={"limit": 2, "offset": 2, "with_total": True}).json()
    assert last["has_more"] is False and last["total"] == 4
    assert [item["id"] for item in last["items"]] == [job["id"] + 1, job["id"]]

    echo = client.get("/api/jobs", params={"kind": "system.echo", "with_total": True}).json()
    assert echo["total"] == 1 and echo["items"][0]["id"] == job["id"]
    queued = client.get("/api/jobs", params={"status": "queued", "with_total": True}).json()
    assert queued["total"] == 4


@pytest.mark.parametrize(
    "params", [{"limit": 501}, {"limit": 0}, {"offset": -1}, {"status": "sleeping"}]
)
def test_list_refuses_bad_parameters(client: TestClient, params: dict[str, object]) -> None:
    assert client.get("/api/jobs", params=params).status_code == 422


def test_unknown_kind_is_refused_and_writes_nothing(client: TestClient) -> None:
    response = client.post("/api/jobs", json={"kind": "no.such.kind", "payload": {"a": 1}})
    assert response.status_code == 422
    assert "unknown job kind 'no.such.kind'" in response.text
    assert "system.sleep" in response.json()["detail"][0]["known"]
    assert _count_jobs() == 0
    assert client.get("/api/jobs").json()["items"] == []
    # A malformed body is refused by validation, also without a write.
    assert client.post("/api/jobs", json={"kind": "system.echo", "payload": [1]}).status_code == 422
    assert client.post("/api/jobs", json={"kind": "system.echo", "bogus": 1}).status_code == 422
    assert _count_jobs() == 0


def test_cancel(client: TestClient) -> None:
    job_id = client.post("/api/jobs", json={"kind": "system.echo"}).json()["id"]
    cancelled = client.post(f"/api/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 409
    assert client.post("/api/jobs/9999/cancel").status_code == 404


def test_progress_fragment_polls_until_final(client: TestClient) -> None:
    job_id = client.post("/api/jobs", json={"kind": "system.echo", "payload": {}}).json()["id"]
    fragment = client.get(f"/jobs/{job_id}/progress")
    assert fragment.status_code == 200
    assert fragment.headers["content-type"].startswith("text/html")
    assert 'hx-trigger="every 1s"' in fragment.text
    assert f'hx-get="/jobs/{job_id}/progress"' in fragment.text
    assert 'data-status="queued"' in fragment.text and "排队中" in fragment.text

    from industrybrain.modules.jobs.worker import Worker
    from industrybrain.runtime import get_database

    assert Worker(get_database(), "w").run_one()
    done = client.get(f"/jobs/{job_id}/progress").text
    assert 'data-status="succeeded"' in done and 'value="100"' in done
    assert "hx-trigger" not in done
    assert "echo" in done  # last log line
    assert client.get("/jobs/777/progress").status_code == 404


def test_pages_list_detail_and_cancel(client: TestClient) -> None:
    job_id = client.post("/api/jobs", json={"kind": "system.sleep", "payload": {"steps": 3}})
    job_id = job_id.json()["id"]
    listing = client.get("/jobs")
    assert (
        listing.status_code == 200 and "system.sleep" in listing.text and "后台任务" in listing.text
    )
    assert client.get("/jobs", params={"status": "failed"}).text.count("system.sleep") == 0
    detail = client.get(f"/jobs/{job_id}")
    assert detail.status_code == 200
    assert 'id="job-progress"' in detail.text and 'hx-trigger="every 1s"' in detail.text
    assert client.get("/jobs/12345").status_code == 404

    cancelled = client.post(f"/jobs/{job_id}/cancel", headers={"HX-Request": "true"})
    assert cancelled.status_code == 200
    assert 'data-status="cancelled"' in cancelled.text and "hx-trigger" not in cancelled.text
    again = client.post(f"/jobs/{job_id}/cancel", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/jobs/{job_id}"


def test_generic_form_submits_a_job(client: TestClient) -> None:
    form = client.get("/jobs/new")
    assert form.status_code == 200 and "system.echo" in form.text and "回显（演示）" in form.text
    response = client.post(
        "/jobs/new", data={"kind": "system.echo", "payload": '{"a": 2}'}, follow_redirects=False
    )
    assert response.status_code == 303
    job_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert client.get(f"/api/jobs/{job_id}").json()["payload"] == {"a": 2}
    refused = client.post("/jobs/new", data={"kind": "system.echo", "payload": "[1]"})
    assert refused.status_code == 422
    assert _count_jobs() == 1


def test_submit_form_redirects_to_the_job(client: TestClient) -> None:
    response = client.post(
        "/jobs/submit",
        data={"kind": "system.sleep", "payload": '{"steps": 2}'},
        follow_redirects=False,
    )
    assert response.status_code == 303
    job_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert client.get(f"/api/jobs/{job_id}").json()["payload"] == {"steps": 2}

    htmx = client.post("/jobs/submit", data={"kind": "system.echo"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/jobs/")


def test_submit_form_refusals_write_nothing(client: TestClient) -> None:
    unknown = client.post("/jobs/submit", data={"kind": "nope", "payload": "{}"})
    assert unknown.status_code == 422 and "未知的任务类型" in unknown.text
    bad = client.post("/jobs/submit", data={"kind": "system.echo", "payload": "[1, 2"})
    assert bad.status_code == 422
    assert _count_jobs() == 0


def test_embedded_worker_runs_jobs(ib_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IB_EMBEDDED_WORKER", "true")
    monkeypatch.setenv("IB_WORKER_POLL_SECONDS", "0.05")
    from industrybrain.app import create_app
    from industrybrain.config import reset_settings

    reset_settings()
    with TestClient(create_app()) as client:
        sign_in(client)
        job_id = client.post("/api/jobs", json={"kind": "system.echo", "payload": {"a": 1}})
        job_id = job_id.json()["id"]
        deadline = time.monotonic() + 10
        while client.get(f"/api/jobs/{job_id}").json()["status"] != "succeeded":
            assert time.monotonic() < deadline, "the embedded worker did not run the job"
            time.sleep(0.05)
        assert client.get(f"/api/jobs/{job_id}").json()["result"] == {"a": 1}
    # The worker thread stopped with the app.
    import threading

    assert not any(t.name == "industrybrain-embedded-worker" for t in threading.enumerate())


def test_pages_nav_component_and_jobs_are_declared(ib_env: Path) -> None:
    from industrybrain.plugins import collect

    pages = [page for page in collect("register_pages") if page.path == "/jobs"]
    assert len(pages) == 1
    page = pages[0]
    assert [f.name for f in page.filters] == ["status", "kind"]
    assert any(entry.path == "/jobs" for entry in collect("register_nav"))
    runner = [c for c in collect("register_components") if c.id == "jobs.runner"]
    assert len(runner) == 1 and runner[0].kind == "tool"
    names = {spec.name for spec in collect("register_jobs")}
    assert {"system.sleep", "system.echo"} <= names

    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade
    from industrybrain.runtime import get_database

    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(get_settings().sqlalchemy_url)
    with get_database().session_scope() as session:
        assert page.form is not None
        job_id = page.form.submit(session, {"kind": "system.echo", "payload": '{"k": 1}'})
        rows, total = page.query(session, {"kind": "system.echo"}, 0, 50)
        assert total == 1 and rows[0]["id"] == job_id
        assert page.detail is not None
        detail = page.detail(session, str(job_id))
        assert detail is not None and detail["payload"] == {"k": 1}
        assert page.detail(session, "abc") is None
    assert ("system.echo", "Echo (demo)") in list(page.form.fields[0].options)


def _same_listing_as_the_service(client: TestClient) -> None:
    import orjson

    from industrybrain.modules.jobs import service
    from industrybrain.runtime import get_database

    for params in ({}, {"status": "queued"}, {"kind": "system.sleep"}):
        fast = client.get("/api/jobs", params={**params, "limit": 10}).json()["items"]
        with get_database().session_scope() as session:
            rows, _total = service.list_jobs(session, params, 0, 10)
        assert fast == orjson.loads(orjson.dumps(rows))
        assert fast and all(item["created_at"].endswith("+00:00") for item in fast)


def _fill(client: TestClient) -> None:
    for n in range(4):
        client.post("/api/jobs", json={"kind": "system.echo", "payload": {"n": n}})
    sleeper = client.post("/api/jobs", json={"kind": "system.sleep", "payload": {"steps": 0}})
    from industrybrain.modules.jobs.worker import Worker
    from industrybrain.runtime import get_database

    assert Worker(get_database(), "w").run_one()  # one with started_at / finished_at set
    client.post(f"/api/jobs/{sleeper.json()['id']}/cancel")


def test_fast_listing_matches_the_service_on_sqlite(client: TestClient) -> None:
    _fill(client)
    _same_listing_as_the_service(client)


@pytest.mark.postgres
def test_api_on_postgres(pg_env: str) -> None:
    from industrybrain.app import create_app

    with TestClient(create_app()) as client:
        sign_in(client)
        _fill(client)
        _same_listing_as_the_service(client)
        assert client.post("/api/jobs", json={"kind": "nope"}).status_code == 422
        page = client.get("/api/jobs", params={"with_total": True}).json()
        assert page["total"] == 5 and page["has_more"] is False
