"""The language catalogs (healthdash/locales/*.toml) agree: every language has every section and key of
the default one, and each text takes the same {placeholders} in every language.

A key missing from one catalog shows the raw key on that language's page (i18n.t); a placeholder missing
from one raises KeyError there, or leaves a value out, only when that text is drawn.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest

from healthdash.core.i18n import DEFAULT_LANG, LANGUAGES

LOCALES = Path(__file__).resolve().parents[2] / "healthdash" / "locales"
OTHERS = [lang for lang in LANGUAGES if lang != DEFAULT_LANG]

# Where the languages phrase a text around different words, the caller passes both: key -> the
# placeholders only the default language uses, and those only the other uses.
PHRASED_DIFFERENTLY = {
    # 同比/环比看 names the kind of comparison; English names the base period ("Against 2023").
    "summary.change_both": ({"compare"}, {"base"}),
    "summary.change_best": ({"compare"}, {"base"}),
    "summary.change_worst": ({"compare"}, {"base"}),
    "summary.change_flat": ({"compare"}, {"base"}),
}


def load(lang: str) -> dict:
    with open(LOCALES / f"{lang}.toml", "rb") as handle:
        return tomllib.load(handle)


def sections(tree: dict, prefix: str = "") -> set[str]:
    """Every table of a catalog, nested ones as "public_health.short"."""
    found: set[str] = set()
    for key, value in tree.items():
        if isinstance(value, dict):
            found |= {f"{prefix}{key}"} | sections(value, f"{prefix}{key}.")
    return found


def texts(tree: dict, prefix: str = "") -> dict[str, object]:
    """Every text of a catalog under its dotted key, as i18n.t looks it up."""
    flat: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= texts(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def placeholders(text: str, lang: str) -> set[str]:
    """The names of a text's {placeholders}; a language's own variant ("{expected_en}") counts as the
    plain one, since the caller passes each language its own."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return {name.removesuffix(f"_{lang}") for name in names}


def test_every_language_offered_has_a_catalog_and_no_catalog_is_orphaned() -> None:
    assert {path.stem for path in LOCALES.glob("*.toml")} == set(LANGUAGES)
    assert OTHERS, "a second language to compare with"


@pytest.mark.parametrize("lang", OTHERS)
def test_a_language_has_every_section_and_key_of_the_default_and_no_other(lang: str) -> None:
    default, other = load(DEFAULT_LANG), load(lang)
    missing = sorted(set(texts(default)) - set(texts(other)))
    extra = sorted(set(texts(other)) - set(texts(default)))
    assert (missing, extra) == ([], []), f"{lang}.toml lacks {missing} and has keys {DEFAULT_LANG}.toml lacks: {extra}"
    assert sections(other) == sections(default), "an empty section in one language only"


@pytest.mark.parametrize("lang", [DEFAULT_LANG, *OTHERS])
def test_every_text_is_a_non_empty_string(lang: str) -> None:
    bad = [key for key, text in texts(load(lang)).items() if not isinstance(text, str) or not text.strip()]
    assert not bad, f"{lang}.toml: not a text, or empty: {bad}"


@pytest.mark.parametrize("lang", OTHERS)
def test_a_text_takes_the_same_placeholders_in_every_language(lang: str) -> None:
    default, other = texts(load(DEFAULT_LANG)), texts(load(lang))
    differing = {}
    for key in default.keys() & other.keys():
        ours, theirs = placeholders(default[key], DEFAULT_LANG), placeholders(other[key], lang)
        if ours != theirs:
            differing[key] = (ours - theirs, theirs - ours)
    assert differing == PHRASED_DIFFERENTLY, "placeholders only one language uses: (default only, other only)"
