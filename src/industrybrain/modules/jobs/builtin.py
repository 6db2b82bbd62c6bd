"""Built-in job kinds: ``system.sleep`` (progress and cancellation demo) and ``system.echo``."""

from __future__ import annotations

import time
from typing import Any

from industrybrain.kit.jobs import JobCancelled, JobContext, JobSpec


def sleep_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Sleep ``steps`` times ``seconds``, reporting progress and honouring cancellation."""
    steps = int(payload.get("steps", 10))
    seconds = float(payload.get("seconds", 0.5))
    if not 0 <= steps <= 10_000 or not 0 <= seconds <= 3600:
        raise ValueError("steps must be in 0..10000 and seconds in 0..3600")
    ctx.log(f"sleeping {steps} step(s) of {seconds:g}s")
    for step in range(steps):
        if ctx.cancelled():
            ctx.log(f"cancelled at step {step}")
            raise JobCancelled()
        time.sleep(seconds)
        ctx.progress((step + 1) / steps, f"step {step + 1}/{steps}")
    return {"steps": steps, "seconds": seconds}


def echo_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Return the payload (checks the round trip through the store); ``fail`` raises."""
    ctx.log("echo")
    if payload.get("fail"):
        raise RuntimeError(str(payload["fail"]))
    return payload


BUILTIN_JOBS = [
    JobSpec("system.sleep", sleep_job, title="Sleep (demo)"),
    JobSpec("system.echo", echo_job, title="Echo (demo)"),
]
