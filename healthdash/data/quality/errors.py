"""Input the quality engine refuses, with the reason in Chinese and English from the locale catalogs
([quality.error] in healthdash/locales/*.toml)."""

from __future__ import annotations

from healthdash.core.i18n import t


def message(code: str, lang: str, **params: object) -> str:
    return t(f"quality.error.{code}", lang=lang, **params)


class QualityError(ValueError):
    """Refused input (a threshold out of range, a mark without a comment, an unknown facility): nothing was
    changed. `zh` and `en` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.zh = message(code, "zh", **params)
        self.en = message(code, "en", **params)
        super().__init__(f"{self.zh} / {self.en}")
