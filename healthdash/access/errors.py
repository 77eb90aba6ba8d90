"""The one exception of the access package: bad input or a refused change, said in Chinese and English."""

from __future__ import annotations

from healthdash.core.i18n import t


class AccessError(Exception):
    """Refused input (an unknown role, a short password, a scope that does not exist): nothing was changed.
    `code` names the text under [access.error] in the locale catalogs."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params = params
        self.zh = message(code, "zh", **params)
        self.en = message(code, "en", **params)
        super().__init__(f"{self.zh} / {self.en}")


def message(code: str, lang: str, /, **params: object) -> str:
    return t(f"access.error.{code}", lang=lang, **params)
