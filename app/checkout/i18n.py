"""Korean first, English second: message catalogs and the choice of language."""

from __future__ import annotations

import json
from pathlib import Path

from werkzeug.datastructures import LanguageAccept

SUPPORTED = ("ko", "en")
DEFAULT = "ko"
CATALOG_DIR = Path(__file__).resolve().parent / "i18n"


class Catalog:
    """Messages per language, read once when the app is built."""

    def __init__(self, directory: Path = CATALOG_DIR) -> None:
        self._messages = {
            lang: json.loads((directory / f"{lang}.json").read_text(encoding="utf-8"))
            for lang in SUPPORTED
        }

    def has(self, lang: str, key: str) -> bool:
        return key in self._messages[lang]

    def translate(self, lang: str, key: str, **params: object) -> str:
        message: str = self._messages[lang].get(key) or self._messages[DEFAULT][key]
        return message.format(**params) if params else message


def choose_language(query: str | None, accept: LanguageAccept) -> str:
    """``?lang=`` wins, then the browser's Accept-Language, then Korean."""
    if query in SUPPORTED:
        return str(query)
    best = accept.best_match(SUPPORTED)
    return best or DEFAULT
