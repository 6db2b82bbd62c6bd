"""Brain templates (产业大脑模板) as a module: registers the packaged templates, the
``industrybrain templates`` commands, one knowledge component per template and the browse pages.
"""

from __future__ import annotations

from pathlib import Path

from industrybrain.hookspecs import hookimpl
from industrybrain.templates import PACKAGED_TEMPLATES_DIR


@hookimpl
def register_brain_templates() -> list[Path]:
    return [PACKAGED_TEMPLATES_DIR]
