"""演示模式 Presenter mode and slideshows, for showing the dashboard on a projector.

`?present=1` hides the sidebar and Streamlit's toolbar, moves the page list to the top, enlarges text and
charts for 1280×720 and 1920×1080, and turns the page header into one title line with the selection.
`?present=1&slide=N` steps through a page's main charts one at a time (`slideshow`). Both live in the
URL, so a copied link (`share_link`) reopens the same view, slide included.

Wiring: app.py calls `setup()` before the navigation runs and `finish()` after the page; ui.page_header
hands over to `header()` in presenter mode; pages render charts through `altair_chart` and declare their
slides with `slideshow`. Styles are inline CSS: nothing is fetched from anywhere.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from healthdash.core.i18n import t
from healthdash.core.markup import inert
from healthdash.ui import capture, urlstate
from healthdash.ui.chart_cache import ChartSpec

PRESENT_KEY = "present"
SLIDE_KEY = "slide"
MAX_SLIDES = 50
# Chart text and heights grow by this much in presenter mode (13 px labels become 18 px).
CHART_SCALE = 1.4
_FONT_KEYS = frozenset({"fontSize", "labelFontSize", "titleFontSize", "symbolSize"})
_SHARE_SLOT = "_presenter_share_slot"
# The container of a page's own picker (the profiles' county or facility, the appraisal's year and county, the
# what-if ranking's indicator): hidden on a slide, whose title line or caption names the choice already.
PAGE_PICKER = "hd-page-picker"
_LINE_SLOT = "_presenter_title_line"
# Clickers send PageDown/PageUp (some ↓/↑); Space goes on as in every slide program.
NEXT_KEYS = ("PageDown", "Space", "Down")
PREVIOUS_KEYS = ("PageUp", "Up")

# Marker classes let tests (and people reading the page source) tell that presenter mode is on.
MARKER = "hd-present"
_PRESENT_CSS = f"""
<style class="{MARKER}">
/* {MARKER}: presenter mode */
html {{font-size: 19px;}}
@media (min-width: 1700px) {{ html {{font-size: 24px;}} }}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"],
[data-testid="stExpandSidebarButton"], [data-testid="stToolbarActions"], [data-testid="stMainMenu"],
[data-testid="stAppDeployButton"], [data-testid="stDecoration"], footer {{display: none !important;}}
.block-container, [data-testid="stMainBlockContainer"] {{
    max-width: 100% !important; padding: 3.6rem 2.4rem 1.5rem 2.4rem !important;
}}
[data-testid="stMetricValue"] {{font-size: 2.6rem;}}
[data-testid="stMetricLabel"] p {{font-size: 1.05rem;}}
h1 {{font-size: 2.2rem !important; padding-bottom: 0.2rem !important;}}
.hd-selection-line {{font-size: 1.25rem; color: #31333f; margin: 0;}}
.hd-slide-title {{font-size: 1.6rem; font-weight: 600; margin: 0.2rem 0 0.6rem 0;}}
/* Captions carry meaning (虚线为目标值): as large and dark as body text on a projector. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
    font-size: 1rem !important; color: #1f2430 !important; opacity: 1 !important;
}}
/* Tables: the grid draws its own text, so the whole grid is zoomed, within the page's width. */
[data-testid="stFullScreenFrame"]:has(> [data-testid="stDataFrame"]) {{zoom: 1.3; width: calc(100% / 1.3) !important;}}
[data-testid="stTable"] table {{font-size: 1rem;}}
</style>
"""
# While a slide is shown: the header on one short line and the keys' buttons out of sight, so the slide
# has the screen.
_SLIDE_CSS = """
<style>
.st-key-hd-slide-keys {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding-top: 4.1rem !important; padding-bottom: 0.5rem !important;}
/* A slide shows; the files are downloaded from the page. */
.st-key-hd-slide [data-testid="stDownloadButton"] {display: none !important;}
.hd-selection-line {font-size: 1.1rem !important;}
.hd-selection-line b {font-size: 1.23em;}
.st-key-hd-slide-bar p {margin: 0 !important;}
/* The subject picker is the page's; the title line names the subject. */
.st-key-hd-page-picker {display: none !important;}
/* The 运行简报 box is the page's, not a slide's; the cards on a slide are compact: value, change, target. */
.st-key-run_summary {display: none !important;}
.st-key-hd-slide [data-testid="stMetricValue"] {font-size: 1.8rem !important;}
.st-key-hd-slide [data-testid="stMetricChart"], .st-key-hd-slide [data-testid="stButton"] {display: none !important;}
.st-key-hd-slide [data-testid="stMetric"] ~ div, .st-key-hd-slide [data-testid="stVerticalBlock"] {gap: 0.35rem !important;}
.st-key-hd-slide-bar {margin-top: -1.6rem;}
/* The title line stays one line: the badge and buttons beside it, the line's font shrunk to fit (_FIT_JS). */
.st-key-hd-slide-head {flex-wrap: nowrap !important;}
.st-key-hd-slide-head > div:first-child {flex: 1 1 0 !important; min-width: 0;}
.st-key-hd-slide-head > div:has([data-testid="stSpace"]) {display: none !important;}
.st-key-hd-slide-head > div:not(:first-child) {flex: 0 0 auto !important; width: auto !important; white-space: nowrap;}
.st-key-hd-slide-head .hd-selection-line {white-space: nowrap; overflow: hidden;}
/* A table on a slide scrolls inside the slide, below the title bar, not the page. */
.st-key-hd-slide [data-testid="stDataFrame"] {max-height: calc((100vh - 15rem) / var(--hd-table-zoom, 1.3)) !important;
    overflow: hidden;}
</style>
"""

# Fitting what the server cannot measure, in the browser (checked a few times a second: charts and tables draw
# after the run ends). A slide taller than the room below its title bar is zoomed down as a whole, its width
# widened by as much so that charts keep the full width; a slide title line too long for one line gets a smaller
# font; a table wider than its place is zoomed down (to 68% at least, 50% once the window has narrowed since the
# table was drawn) so that no column is cut off at the right.
_FIT_JS = """
<script>
(() => {
  if (window.hdFit) return;
  window.hdFit = true;
  const zoomTo = (element, zoom) => {
    element.style.setProperty('zoom', String(zoom), 'important');
    element.style.setProperty('width', 'calc(100% / ' + zoom + ')', 'important');
  };
  const fitLine = () => {
    const line = document.querySelector('.st-key-hd-slide-head .hd-selection-line');
    if (!line) return;
    if (!line.dataset.hdSize) line.dataset.hdSize = getComputedStyle(line).fontSize;
    let size = parseFloat(line.dataset.hdSize);
    line.style.setProperty('font-size', size + 'px', 'important');
    while (line.scrollWidth > line.clientWidth + 1 && size > 12) {
      size -= 0.5;
      line.style.setProperty('font-size', size + 'px', 'important');
    }
  };
  const fitTables = () => {
    for (const frame of document.querySelectorAll('[data-testid="stFullScreenFrame"]:has(> [data-testid="stDataFrame"])')) {
      const scroller = frame.querySelector('.dvn-scroller');
      if (!scroller || !scroller.clientWidth) continue;
      if (!frame.style.zoom) frame.dataset.hdZoom = parseFloat(getComputedStyle(frame).zoom) || 1;
      if (!frame.dataset.hdDrawnAt) frame.dataset.hdDrawnAt = window.innerWidth;
      const base = parseFloat(frame.dataset.hdZoom);
      const zoom = parseFloat(frame.style.zoom) || base;
      // A grid keeps the column widths of the window it was drawn in: narrowed since, it may go further down.
      const floor = base * (window.innerWidth < parseFloat(frame.dataset.hdDrawnAt) ? 0.5 : 0.68);
      const wanted = Math.max(floor, Math.min(base, zoom * scroller.clientWidth / scroller.scrollWidth));
      if (Math.abs(wanted - zoom) > 0.005) {
        zoomTo(frame, wanted);
        frame.style.setProperty('--hd-table-zoom', String(wanted));  // a smaller table has more rows' room
      }
    }
  };
  const fitSlide = () => {
    const slide = document.querySelector('.st-key-hd-slide');
    if (!slide) return;
    fitLine();
    const zoom = parseFloat(slide.style.zoom) || 1;
    const box = slide.getBoundingClientRect();
    const fits = Math.max(0.5, Math.min(1, (window.innerHeight - box.top - 14) / (box.height / zoom)));
    // What the box does not count (a component's frame) still scrolls the page: take that off too, by 5% at most
    // (a page part below the slide that no zoom removes must not shrink it step by step).
    const main = document.querySelector('[data-testid="stMain"]');
    const over = main ? main.scrollHeight - main.clientHeight : 0;
    const wanted = over > 1 ? Math.max(0.5, fits - 0.05, Math.min(fits, zoom * (box.height - over - 6) / box.height))
                            : fits;
    // Down at once (a few pixels too tall is a scrollbar), up only by a clear step (no flicker).
    if (wanted < zoom - 0.001 || wanted > zoom + 0.01) zoomTo(slide, wanted);
  };
  const fit = () => { fitTables(); fitSlide(); };
  setInterval(fit, 250);
  window.addEventListener('resize', fit);
})();
</script>
"""


def _truthy(text: str) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get(text.strip().lower())


def setup() -> None:
    """Read presenter mode and the slide from the URL (or keep the session's) and apply the styles.

    Call once per run from app.py, before the navigation runs.
    """
    outside = urlstate.changed_from_outside([PRESENT_KEY, SLIDE_KEY])
    if outside is not None:
        present = _truthy(outside.get(PRESENT_KEY, "0"))
        if present is None:
            st.warning(f"{t('filters.dropped')} {PRESENT_KEY}={inert(outside[PRESENT_KEY])}")
        st.session_state[PRESENT_KEY] = bool(present)
        slide_text = outside.get(SLIDE_KEY)
        slide = urlstate.parse_number(slide_text, 1, MAX_SLIDES, 1) if slide_text is not None else None
        if slide_text is not None and slide is None:
            st.warning(f"{t('filters.dropped')} {SLIDE_KEY}={inert(slide_text)}")
        st.session_state[SLIDE_KEY] = slide if present else None
    st.session_state.setdefault(PRESENT_KEY, False)
    st.session_state.setdefault(SLIDE_KEY, None)
    if not st.session_state[PRESENT_KEY]:
        st.session_state[SLIDE_KEY] = None
    if active():
        st.html(_PRESENT_CSS)
    st.sidebar.html(_FIT_JS, unsafe_allow_javascript=True)


def _write_url() -> None:
    values: dict[str, str] = {}
    if st.session_state.get(PRESENT_KEY):
        values[PRESENT_KEY] = "1"
        if st.session_state.get(SLIDE_KEY):
            values[SLIDE_KEY] = str(st.session_state[SLIDE_KEY])
    urlstate.write([PRESENT_KEY, SLIDE_KEY], values)


def active() -> bool:
    return bool(st.session_state.get(PRESENT_KEY))


def slideshow_running() -> bool:
    return active() and bool(st.session_state.get(SLIDE_KEY))


def nav_position() -> str:
    """Where st.navigation puts the page list: on top in presenter mode (the sidebar is hidden)."""
    return "top" if active() else "sidebar"


def _set(present: bool, slide: int | None = None) -> None:
    st.session_state[PRESENT_KEY] = present
    st.session_state[SLIDE_KEY] = slide if present else None


# ---------------------------------------------------------------------------------------------- header


def header(title: str, selection: str | None, demo_label: str | None = None) -> None:
    """The page title and the active selection as one line, with the share link and the way out."""
    if slideshow_running():  # one short line, so that the slide has the screen
        with st.container(horizontal=True, vertical_alignment="center", key="hd-slide-head"):
            line = st.empty()
            line.html(_title_line(title, selection))
            st.session_state[_LINE_SLOT] = (line, title, selection)
            st.space("stretch")
            if demo_label:
                st.badge(demo_label, icon=":material/science:", color="gray")
            st.session_state[_SHARE_SLOT] = st.empty()
            st.button(t("presenter.exit"), key="present_exit", icon=":material/close_fullscreen:",
                      on_click=_set, args=(False,), type="tertiary")
        return
    left, right = st.columns([5, 2], vertical_alignment="bottom")
    with left:
        st.title(inert(title), anchor=False)
        if selection:
            st.html(f'<p class="hd-selection-line">{html.escape(selection)}</p>')
    with right:
        buttons = st.container(horizontal=True, horizontal_alignment="right")
        with buttons:
            st.session_state[_SHARE_SLOT] = st.empty()
            st.button(t("presenter.exit"), key="present_exit", icon=":material/close_fullscreen:",
                      on_click=_set, args=(False,), type="tertiary")
        if demo_label:
            right.badge(demo_label, icon=":material/science:", color="gray")


def _title_line(title: str, selection: str | None) -> str:
    return f'<p class="hd-selection-line"><b>{html.escape(title)}</b>　{html.escape(selection or "")}</p>'


def add_to_title_line(note: str) -> None:
    """Put `note` after the selection in the slideshow's one title line (the what-if levers: a figure of a
    scenario means nothing without them), which was drawn before the page knew it. Outside a slideshow, nothing."""
    held = st.session_state.get(_LINE_SLOT)
    if held is None or not slideshow_running():
        return
    line, title, selection = held
    line.html(_title_line(title, " · ".join(part for part in (selection, note) if part)))


# ---------------------------------------------------------------------------------------------- links


def view_url() -> str:
    """The link to the current view: this page's address with every URL-bound setting."""
    base = st.context.url or ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}?{query}" if query else base or "?"


def share_link(container: Any | None = None) -> None:
    """A "复制链接" popover holding the view's URL in a text box to copy from (see summary._STYLE for why
    not a code block with a copy button)."""
    target = container if container is not None else st
    with target.popover(t("presenter.share"), icon=":material/link:"):
        st.text_input(t("presenter.share_hint"), view_url())


def sidebar_controls() -> None:
    """The presenter switch and the share link at the foot of the sidebar; call after the page ran."""
    side = st.sidebar
    side.divider()
    side.toggle(t("presenter.toggle"), key=PRESENT_KEY, help=t("presenter.toggle_help"))
    share_link(side)


def finish() -> None:
    """End of the run: fill the header's share slot now that every widget has written the URL."""
    slot = st.session_state.pop(_SHARE_SLOT, None)
    if active() and slot is not None:
        share_link(slot.container())
    # Rendered in presenter mode too (hidden by the style): a widget left out of a run loses its state.
    sidebar_controls()
    # The URL is written only now: a write before st.navigation has resolved the page makes the browser
    # report a deep link (/what-if?...) as "page not found".
    _write_url()


# ---------------------------------------------------------------------------------------------- charts


def scale_spec(spec: dict, factor: float) -> dict:
    """A copy of a Vega-Lite spec with every font size and fixed height multiplied by `factor`."""

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items() if k != "datasets"} | (
                {"datasets": node["datasets"]} if "datasets" in node else {}
            )
        if isinstance(node, list):
            return [walk(item) for item in node]
        scalable = isinstance(node, int | float) and not isinstance(node, bool)
        if scalable and (key in _FONT_KEYS or key == "height"):
            return round(node * factor, 1)
        return node

    return walk(copy.deepcopy(spec))


def altair_chart(
    spec: ChartSpec, *, key: str | None = None, on_select: str | Callable[[], None] = "ignore"
) -> Any:
    """Render a chart (the spec of a builder decorated with chart_cache.cached_spec) full width; larger text
    and height in presenter mode. With on_select="rerun" (and a key) a click reruns the page and the
    chart's selection event is returned; a callable runs on a click, before the rerun."""
    capture.chart(spec)
    browser = spec.for_browser()
    shown = scale_spec(browser, CHART_SCALE) if active() else browser
    return st.vega_lite_chart(shown, width="stretch", theme=None, key=key, on_select=on_select)


# ---------------------------------------------------------------------------------------------- slides


@dataclass(frozen=True)
class Slide:
    """One step of a slideshow: a title and what to draw (charts, a table, a KPI grid)."""

    title: str
    render: Callable[[], None]


def slideshow(deck: str, slides: Sequence[Slide]) -> bool:
    """Step through `slides` one at a time in presenter mode.

    Returns True when it showed a slide (the page should then `st.stop()`); otherwise, in presenter mode,
    it shows a button that starts the slideshow and returns False, and outside presenter mode it does
    nothing. `deck` keys the buttons, so one page may have one deck.
    """
    if not active() or not slides:
        return False
    _write_url()  # now, too: a page that stops after its slide ends the run before `finish`
    current = st.session_state.get(SLIDE_KEY)
    if not current:
        st.button(t("presenter.start"), key=f"slides_{deck}_start", icon=":material/slideshow:",
                  on_click=_set, args=(True, 1))
        return False
    # The header's 复制链接 is filled now: the page stops after its slide, before `finish` would fill it.
    slot = st.session_state.pop(_SHARE_SLOT, None)
    if slot is not None:
        share_link(slot.container())
    index = min(int(current), len(slides))
    slide = slides[index - 1]
    _clicker_keys(deck, index, len(slides))
    bar = st.container(horizontal=True, vertical_alignment="center", key="hd-slide-bar")
    with bar:
        st.html(f'<p class="hd-slide-title">{html.escape(slide.title)}</p>')
        st.space("stretch")
        st.button(t("presenter.previous"), key=f"slides_{deck}_prev", icon=":material/chevron_left:",
                  disabled=index <= 1, on_click=_set, args=(True, index - 1), shortcut="Left")
        st.markdown(f"**{index} / {len(slides)}**")
        st.button(t("presenter.next"), key=f"slides_{deck}_next", icon=":material/chevron_right:",
                  icon_position="right", disabled=index >= len(slides), on_click=_set, args=(True, index + 1),
                  shortcut="Right")
        st.button(t("presenter.stop"), key=f"slides_{deck}_stop", icon=":material/stop:",
                  on_click=_set, args=(True, None), type="tertiary", shortcut="Esc")
    with st.container(key="hd-slide"):
        slide.render()
    return True


# Rows of a table on a slide: what a projector shows legibly below a title at 1280×720.
SLIDE_ROWS = 8


def slide_rows(frame: pd.DataFrame, rows: int = SLIDE_ROWS) -> pd.DataFrame:
    """On a slide, the first `rows` rows of `frame` with a caption saying the rest are on the page and in the
    download; elsewhere `frame` itself."""
    if not slideshow_running() or len(frame) <= rows:
        return frame
    st.caption(t("presenter.table_top", shown=rows, total=len(frame)))
    return frame.head(rows)


def _clicker_keys(deck: str, index: int, count: int) -> None:
    """The keys a presentation clicker and a keyboard send besides ← and →: PageDown, Space and ↓ go on,
    PageUp and ↑ go back. One button per key (a button takes one shortcut), hidden by _SLIDE_CSS."""
    with st.container(key="hd-slide-keys"):
        st.html(_SLIDE_CSS)
        for key in NEXT_KEYS:
            st.button(key, key=f"slides_{deck}_next_{key}", disabled=index >= count, on_click=_set,
                      args=(True, index + 1), shortcut=key)
        for key in PREVIOUS_KEYS:
            st.button(key, key=f"slides_{deck}_prev_{key}", disabled=index <= 1, on_click=_set,
                      args=(True, index - 1), shortcut=key)
