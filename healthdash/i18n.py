"""User-facing strings: one catalog per language (locales/*.toml), zh-CN by default."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import streamlit as st

LANGUAGES: dict[str, str] = {"zh": "简体中文", "en": "English"}
DEFAULT_LANG = "zh"
LANG_KEY = "lang"
_LOCALE_DIR = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    with open(_LOCALE_DIR / f"{lang}.toml", "rb") as handle:
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


def current_lang() -> str:
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return lang if lang in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string `key` in the current language, with {placeholders} filled from `values`.

    A key missing from a catalog shows as the key itself, so a gap is visible instead of fatal;
    tests/test_i18n.py keeps the catalogs complete.
    """
    text = catalog(lang or current_lang()).get(key, key)
    return text.format(**values) if values else text
