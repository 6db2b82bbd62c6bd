"""Crash-test hook: ``IB_WAREHOUSE_FAULT=<step>`` kills the process with SIGKILL when the
pipeline reaches that named step; ``IB_WAREHOUSE_FAULT=pause:<step>:<seconds>`` sleeps there
(to let a test act mid-run). Steps: see ``pipeline.STEPS``. Unset in normal operation."""

from __future__ import annotations

import os
import signal
import time

ENV = "IB_WAREHOUSE_FAULT"


def checkpoint(step: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    if spec == step:
        os.kill(os.getpid(), signal.SIGKILL)
    if spec.startswith("pause:"):
        _, name, seconds = spec.split(":", 2)
        if name == step:
            time.sleep(float(seconds))
