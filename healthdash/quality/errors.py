"""Input the quality engine refuses, with the reason in Chinese and English from the locale catalogs
([quality.error] in healthdash/locales/*.toml, read here directly: healthdash.i18n imports Streamlit)."""

from __future__ import annotations

import tomllib
from functools import cache

from healthdash.quality.config import LOCALE_DIR


@cache
def _messages(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / f"{lang}.toml", "rb") as handle:
        return dict(tomllib.load(handle)["quality"]["error"])


def message(code: str, lang: str, **params: object) -> str:
    return _messages(lang)[code].format(**params)


class QualityError(ValueError):
    """Refused input (a threshold out of range, a mark without a comment, an unknown facility): nothing was
    changed. `zh` and `en` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.zh = message(code, "zh", **params)
        self.en = message(code, "en", **params)
        super().__init__(f"{self.zh} / {self.en}")
