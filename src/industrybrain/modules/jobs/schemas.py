"""Pydantic shapes of the jobs API (documentation and input validation).

The list endpoint documents :class:`JobPage` but serialises rows with orjson directly: it is the
hot path of the API benchmark, and validating 50 rows per request would cost more than the query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobSummary(BaseModel):
    id: int
    kind: str
    status: JobStatus
    progress: float
    message: str
    attempts: int
    max_attempts: int
    organization_id: int | None
    worker_id: str | None
    run_after: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobDetail(JobSummary):
    payload: dict[str, Any]
    result: Any | None
    error: str | None
    log: str
    heartbeat_at: datetime | None
    cancel_requested: bool


class JobPage(BaseModel):
    items: list[JobSummary]
    offset: int
    limit: int
    has_more: bool = Field(description="more rows follow this page")
    total: int | None = Field(
        None, description="exact number of matching jobs; only computed when with_total=true"
    )


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=100, examples=["system.sleep"])
    payload: dict[str, Any] = Field(default_factory=dict, examples=[{"steps": 5, "seconds": 1}])
    max_attempts: int | None = Field(None, ge=1, le=100)
    run_after: AwareDatetime | None = None
