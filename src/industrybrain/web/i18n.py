"""Translations: Babel ``.po`` catalogs read at start-up (no compile step), locale per request.

Message ids are English. The web shell's own catalog and every plugin's catalogs
(``register_locale_dirs``) are merged per locale; the first catalog that knows a message wins.
The locale is chosen by ``?lang=`` (which also sets the ``ib_lang`` cookie), then the cookie,
then ``settings.default_locale``.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import logging
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

LOCALES: tuple[str, ...] = ("zh_CN", "en")
LANG_COOKIE = "ib_lang"
LANG_PARAM = "lang"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}

_ALIASES = {
    "zh_cn": "zh_CN",
    "zh-cn": "zh_CN",
    "zh": "zh_CN",
    "zh_hans": "zh_CN",
    "zh-hans": "zh_CN",
    "en": "en",
    "en_us": "en",
    "en-us": "en",
    "en_gb": "en",
    "en-gb": "en",
}


def normalize_locale(value: str | None) -> str | None:
    """The supported locale a user-supplied value names, or None."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


def choose_locale(query_value: str | None, cookie_value: str | None, default: str) -> str:
    return normalize_locale(query_value) or normalize_locale(cookie_value) or default


def _load_po(path: Path, locale: str) -> gettext_module.GNUTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    # Fuzzy entries are drafts: leave them out, as msgfmt does.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


class Translations:
    """Every catalog of every locale, merged once at start-up."""

    def __init__(self, locale_dirs: Iterable[Path]) -> None:
        self._by_locale: dict[str, gettext_module.NullTranslations] = {}
        dirs = list(locale_dirs)
        for locale in LOCALES:
            chain: gettext_module.NullTranslations | None = None
            for folder in dirs:
                po_file = folder / locale / "LC_MESSAGES" / "messages.po"
                if not po_file.is_file():
                    continue
                try:
                    loaded = _load_po(po_file, locale)
                except Exception:
                    logger.exception("cannot read the catalog %s", po_file)
                    raise
                if chain is None:
                    chain = loaded
                else:
                    chain.add_fallback(loaded)
            self._by_locale[locale] = chain or gettext_module.NullTranslations()

    def get(self, locale: str) -> gettext_module.NullTranslations:
        return self._by_locale.get(locale) or gettext_module.NullTranslations()
