"""Charts as PNG and SVG files, rendered on the server without a browser or the internet.

vl-convert carries its own Vega engine; it is given the system's Noto CJK fonts so Chinese labels render
as glyphs, not boxes, and it may fetch nothing (`allowed_base_urls=[]`: every chart's data is inline).
The exported file has exactly the size asked for: the spec is autosized to fit its padding box. A title
block (exports.TitleBlock) is drawn as the chart's title and subtitle, so the image says what it shows.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import vl_convert as vlc

from healthdash.core.exports import TitleBlock
from healthdash.core.i18n import current_lang
from healthdash.core.paths import FONT_DIR
from healthdash.ui.chart_cache import ChartSpec

# Debian's fonts-noto-cjk; other places a deployment might keep CJK fonts come after it.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype"),
    Path("/usr/local/share/fonts"),
    FONT_DIR,  # the offline bundle's copy, for a server without fonts-noto-cjk
)
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 600
PNG_SCALE = 2.0
_TITLE_SIZE = 20
_SUBTITLE_SIZE = 13
_RIGHT_ROOM = 64
_SUBTITLE_LINE = 19  # pixels per subtitle line, for the room the title block takes

_fonts_registered = False
_lock = threading.Lock()


def register_fonts() -> None:
    """Hand the CJK font folders to vl-convert once per process (it keeps them for later calls)."""
    global _fonts_registered
    with _lock:
        if _fonts_registered:
            return
        for folder in FONT_DIRS:
            if folder.is_dir():
                vlc.register_font_directory(str(folder))
        _fonts_registered = True


def export_spec(
    chart: ChartSpec, title: str | TitleBlock | None = None, width: int = EXPORT_WIDTH, height: int | None = None
) -> dict:
    """The chart's Vega-Lite spec sized for a file: `width` × `height` pixels in all, with `title` on top
    (a title block: its view as the title, its place, period, comparison, 数据截至 and demo label below).

    `height` defaults to the chart's own height (plus room for the title and axes), else EXPORT_HEIGHT.
    """
    spec = copy.deepcopy(chart)
    own_height = spec.get("height") if isinstance(spec.get("height"), int | float) else None
    subtitle = title.subtitle() if isinstance(title, TitleBlock) else []
    if height is None:
        height = int(own_height + 90 + _SUBTITLE_LINE * len(subtitle)) if own_height else EXPORT_HEIGHT
    spec["width"] = width
    spec["height"] = height
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    # vl-convert has no text measurer and takes Chinese glyphs for narrow ones, so a label right of its
    # mark overflows the estimated bounds: room on the right keeps it inside the image.
    spec["padding"] = {"left": 16, "top": 16, "bottom": 16, "right": _RIGHT_ROOM}
    spec.setdefault("background", "white")
    if isinstance(title, TitleBlock):
        spec["title"] = {"text": title.view, "fontSize": _TITLE_SIZE, "anchor": "start", "offset": 14,
                         "subtitle": subtitle, "subtitleFontSize": _SUBTITLE_SIZE, "subtitleColor": "#404040",
                         "subtitlePadding": 8, "subtitleLineHeight": _SUBTITLE_LINE}
    elif title:
        spec["title"] = {"text": title, "fontSize": _TITLE_SIZE, "anchor": "start", "offset": 12}
    return spec


def _options() -> dict:
    # d3's locale names months and groups digits: Jan 2025 in an English document, 1月 in a Chinese one.
    locale = "en-US" if current_lang() == "en" else "zh-CN"
    return {"allowed_base_urls": [], "format_locale": locale, "time_format_locale": locale}


def chart_png(
    chart: ChartSpec,
    title: str | TitleBlock | None = None,
    *,
    width: int = EXPORT_WIDTH,
    height: int | None = None,
    scale: float = PNG_SCALE,
) -> bytes:
    """PNG bytes of the chart: (width × scale) by (height × scale) pixels."""
    register_fonts()
    return vlc.vegalite_to_png(export_spec(chart, title, width, height), scale=scale, **_options())


def chart_svg(
    chart: ChartSpec, title: str | TitleBlock | None = None, *, width: int = EXPORT_WIDTH, height: int | None = None
) -> str:
    """SVG text of the chart; labels stay text (searchable, editable in slides)."""
    register_fonts()
    return vlc.vegalite_to_svg(export_spec(chart, title, width, height), **_options())
