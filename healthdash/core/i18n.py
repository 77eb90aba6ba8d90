"""User-facing strings: one catalog per language (locales/*.toml), zh-CN by default."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from healthdash.core.paths import LOCALE_DIR

LANGUAGES: dict[str, str] = {"zh": "简体中文", "en": "English"}
DEFAULT_LANG = "zh"
LANG_KEY = "lang"
# Who knows the reader's language: nobody outside a page (so zh-CN), the session once healthdash.ui is imported.
def _no_session() -> object:
    return None


_language_source: Callable[[], object] = _no_session
# A document made in another language than the session's (a briefing, the timer's run); per thread.
_speaking: ContextVar[str | None] = ContextVar("speaking", default=None)


@cache
def catalog(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / f"{lang}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def read_language_from(source: Callable[[], object]) -> None:
    """Let `source` tell the current language (healthdash.ui passes the session's choice)."""
    global _language_source
    _language_source = source


def current_lang() -> str:
    lang = _speaking.get() or _language_source()
    return lang if lang in LANGUAGES else DEFAULT_LANG


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block current_lang() is `lang`, whatever the session chose (a document in its own language)."""
    token = _speaking.set(lang)
    try:
        yield
    finally:
        _speaking.reset(token)


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string `key` in the current language, with {placeholders} filled from `values`.

    A key missing from a catalog shows as the key itself, so a gap is visible instead of fatal;
    tests/test_i18n.py keeps the catalogs complete.
    """
    text = catalog(lang or current_lang()).get(key, key)
    return text.format(**values) if values else text


def t_each(prefix: str, codes: Iterable[object], lang: str | None = None) -> list[str]:
    """t(f"{prefix}.{code}") for each of `codes`, each distinct code looked up once: a province's tables name
    tens of thousands of tiers, and each lookup of the session's language costs."""
    lang = lang or current_lang()
    codes = list(codes)
    words = {code: t(f"{prefix}.{code}", lang=lang) for code in dict.fromkeys(codes)}
    return [words[code] for code in codes]
