"""Every message id of the jobs module has a Chinese translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import industrybrain.modules.jobs as jobs_module
from industrybrain.modules.jobs.builtin import BUILTIN_JOBS
from industrybrain.modules.jobs.models import STATUSES

MODULE_DIR = Path(jobs_module.__file__).parent


def test_every_jobs_message_has_a_chinese_translation() -> None:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(MODULE_DIR), method_map, options_map=options, keywords={"_": None, "N_": None}
        )
    }
    # Shown through variables: statuses and job kind titles.
    extracted |= set(STATUSES) | {spec.title for spec in BUILTIN_JOBS}
    assert {"Jobs", "Progress", "Cancel", "queued"} <= extracted
    po_path = MODULE_DIR / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {str(m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(extracted - translated) == []
