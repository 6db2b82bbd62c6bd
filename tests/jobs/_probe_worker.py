"""Run the real ``industrybrain`` CLI in this process with the test probe plugin registered.

Used by the acceptance test as ``python _probe_worker.py worker --concurrency 2``: the worker
command is the product's, only the extra job kind ``test.probe`` comes from the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _probe

from industrybrain.cli import main
from industrybrain.plugins import get_plugin_manager

get_plugin_manager().register(_probe, name="probe")
sys.argv = ["industrybrain", *sys.argv[1:]]
main()
