"""Maps (地图): the places one level below the selection drawn from their boundaries in the database, coloured
by class of an indicator (target bands as the public-health scorecard, or quartiles), pass or fail written
on each area, values on hover; a click drills down as the rankings do.

Offline by construction: the outlines travel inside the spec (inline GeoJSON, no URL, no tiles), and the
spec is sent as is, not through the Arrow datasets charts use (nested coordinates do not survive them).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from healthdash.core.filters import Filters
from healthdash.core.fmt import MET_MARK, NOT_MET_MARK, fmt_value
from healthdash.core.geo import label_point, polygons_of
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator
from healthdash.core.map_layout import Arrangement, arrange, scattered
from healthdash.core.markup import inert
from healthdash.core.wording import status_word, target_amount
from healthdash.data.boundaries import shapes
from healthdash.data.kpi import by_place, child_level, indicator_catalog
from healthdash.domains.public_health import scorecard
from healthdash.ui import downloads, presenter, urlstate, widgets
from healthdash.ui.chart_cache import ChartSpec
from healthdash.ui.sidebar import click_key, filter_options

MAP_SELECTION = "area"
TARGET, QUANTILE = "target", "quantile"
CLASSINGS = (TARGET, QUANTILE)
PROVINCE_UNITS = ("city", "county")  # what a province's map draws: its cities or all its counties
# Light to dark blue for quartiles: one hue, so a darker area is read as a higher value.
QUANTILE_FILLS = ("#DCE8F7", "#A9C6EC", "#6C9BD8", "#2F6BBF")
NO_DATA_FILL = "#FFFFFF"
OUTLINE = "#5B6573"
# The labels' view name; Vega puts "<name>_marks" on their SVG group, which lets clicks through to the area.
LABELS = "map_labels"
_AREAS, _LABELS_DATA = "map_area_data", "map_label_data"  # the layers' data, named until _inline puts it in
_CLICK_THROUGH = f"<style>.{LABELS}_marks, .{LABELS}_halo_marks {{ pointer-events: none; }}</style>"


def _fill(key: str) -> str:
    return f"#{scorecard.FILLS[key]}"


def _band_label(key: str, indicator: Indicator, lang: str) -> str:
    if key in (scorecard.FAR_BELOW, scorecard.BELOW) and not indicator.is_percent:
        return t(f"maps.band_relative.{key}", lang=lang)
    return t(f"public_health.band_label.{key}", lang=lang)


def classify(frame: pd.DataFrame, indicator: Indicator, classing: str, lang: str) -> tuple[pd.Series, list[str], list[str]]:
    """Each place's class label, and the legend's labels and fills in order. Target classes are the
    scorecard's bands; quartile classes say their range in words."""
    if classing == TARGET and indicator.target_value is not None and indicator.direction != "monitor":
        target = float(indicator.target_value)
        margin = scorecard.far_margin(target, indicator.is_percent)
        keys = [scorecard.band(v, target, indicator.direction, margin) for v in frame["value"]]
        order = [scorecard.FAR_BELOW, scorecard.BELOW, scorecard.MET]
        return (pd.Series([_band_label(k, indicator, lang) for k in keys], index=frame.index),
                [_band_label(k, indicator, lang) for k in order], [_fill(k) for k in order])
    values = frame["value"].astype(float)
    classes = min(4, values.nunique())
    if classes < 2:
        label = t("maps.one_class", lang=lang)
        return pd.Series([label] * len(frame), index=frame.index), [label], [QUANTILE_FILLS[1]]
    bins = pd.qcut(values, classes, duplicates="drop")
    edges = list(bins.cat.categories)
    labels = [t("maps.range", low=fmt_value(edge.left if i else values.min(), indicator.unit, lang=lang),
                high=fmt_value(edge.right, indicator.unit, lang=lang), lang=lang) for i, edge in enumerate(edges)]
    fills = list(QUANTILE_FILLS[-len(edges):]) if len(edges) < 4 else list(QUANTILE_FILLS)
    codes = bins.cat.codes
    return pd.Series([labels[c] for c in codes], index=frame.index), labels, fills


SLIDE_HEIGHT = 250
# Width over height of the map on a page and on a slide, which the arranged groups' grid is shaped to.
PAGE_ASPECT, SLIDE_ASPECT = 2.2, 4.0


def arrangement(areas: pd.DataFrame, aspect: float) -> Arrangement | None:
    """How to set the groups of `areas` (column group: a county's city, a city itself) side by side when they
    lie far apart; None when they are drawn where they are."""
    groups: dict[str, list] = {}
    for group, shape in zip(areas["group"], areas["shape"], strict=True):
        groups.setdefault(group, []).append(polygons_of(shape))
    return arrange(groups, aspect) if scattered(groups) else None


def map_spec(areas: pd.DataFrame, legend: list[str], fills: list[str], title: str, height: int = 460,
             current: str | None = None, marks_only: bool = False, arranged: Arrangement | None = None) -> ChartSpec:
    """The map: one geoshape per row of `areas` (place_code, place_name, shape, cls, value_text, status,
    target_text, label; group and group_name when `arranged`) and its name and mark written at its label point
    (`marks_only`: the mark alone, for a province's counties, whose names would cover each other; hover names
    them); `current` outlined in bold. `arranged`: the groups moved side by side in the plane, each group
    named above it when it holds other places than itself. Inline data only."""
    features, labels = [], []
    for row in areas.itertuples(index=False):
        polygons = polygons_of(row.shape)
        lon, lat = label_point(polygons)
        if arranged is not None:
            polygons, (lon, lat) = arranged.place(row.group, polygons), arranged.point(row.group, lon, lat)
        features.append({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                         "place_code": row.place_code, "place_name": row.place_name, "cls": row.cls,
                         "value_text": row.value_text, "status": row.status, "target_text": row.target_text,
                         "current": row.place_code == current})
        label = _mark(row.meets) if marks_only else row.label
        labels.append({"lon": lon, "lat": lat, "label": label, "place_code": row.place_code})
    if arranged is not None and (areas["group"] != areas["place_code"]).any():
        names = dict(zip(areas["group"], areas["group_name"], strict=False))
        labels += [{"lon": x, "lat": y, "label": names[group], "place_code": ""} for group, (x, y) in arranged.titles.items()]
    selection = alt.selection_point(name=MAP_SELECTION, fields=["place_code"], on="click")
    color = alt.Color("cls:N", title=title, scale=alt.Scale(domain=legend, range=fills),
                      legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=260, titleLimit=420, symbolType="square",
                                        symbolStrokeColor=OUTLINE, symbolStrokeWidth=0.6))
    tooltip = [alt.Tooltip("place_name:N", title=t("maps.tip_place")),
               alt.Tooltip("value_text:N", title=t("maps.tip_value")),
               alt.Tooltip("target_text:N", title=t("maps.tip_target")),
               alt.Tooltip("status:N", title=t("maps.tip_status"))]
    shapes_layer = alt.Chart(alt.NamedData(name=_AREAS)).mark_geoshape(
        stroke=OUTLINE, cursor="pointer",
    ).encode(
        color=color, tooltip=tooltip,
        strokeWidth=alt.StrokeWidth("current:N", scale=alt.Scale(domain=[False, True], range=[0.8, 3.5]), legend=None),
        opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
    ).add_params(selection)
    text = {"fontSize": 11 if marks_only else 13, "fontWeight": "bold", "lineBreak": "\n", "lineHeight": 16}
    position = {"longitude": "lon:Q", "latitude": "lat:Q", "text": "label:N"}
    # A white halo under each label keeps it readable where it crosses a border or a darker neighbour.
    halo_layer = alt.Chart(alt.NamedData(name=_LABELS_DATA)).mark_text(
        **text, color="#FFFFFF", stroke="#FFFFFF", strokeWidth=3.5, strokeJoin="round", opacity=0.85,
    ).encode(**position).properties(name=f"{LABELS}_halo")
    text_layer = alt.Chart(alt.NamedData(name=_LABELS_DATA)).mark_text(
        **text, color="#1F2329",
    ).encode(**position).properties(name=LABELS)
    # Arranged groups are already in the plane (Mercator, moved): drawn as they are, north up.
    projection = alt.Projection(type="identity", reflectY=True) if arranged is not None else alt.Projection(type="mercator")
    chart = alt.layer(shapes_layer, halo_layer, text_layer).properties(
        width="container", height=height, projection=projection,
    ).configure_view(stroke=None)
    spec = chart.to_dict(validate=False)
    return ChartSpec(_inline(spec, {_AREAS: features, _LABELS_DATA: labels}))


def _inline(spec: dict, values: dict[str, list[dict]]) -> dict:
    """The layers' named data replaced by the values themselves: the browser gets the GeoJSON as JSON (not
    through Arrow), and Altair never hashes or copies the outlines (a province's 180 counties took 0.3 s)."""
    for layer in spec.get("layer", []):
        data = layer.get("data")
        if isinstance(data, dict) and data.get("name") in values:
            layer["data"] = {"values": values[data["name"]]}
    return spec


def map_areas(filters: Filters, indicator: Indicator, classing: str, level: str | None = None
              ) -> tuple[pd.DataFrame, list[str], list[str], list[str], pd.DataFrame] | None:
    """What the map draws for the places one level down (or of `level`: a province's counties): areas with
    their class and texts, the legend, the names of places without an outline, and the boundaries' sources.
    None when the level has no outlines at all (towns without boundaries: no town map)."""
    lang = current_lang()
    level = level or child_level(filters, indicator)
    if level not in ("city", "county", "town"):
        return None
    values = by_place(filters, [indicator.code], level)
    options = filter_options()
    children = _children(filters, level, options)
    if not children:
        return None
    outlines = shapes(list(children), "province" if filters.city is None else "city")
    if outlines.empty:
        return None
    frame = pd.DataFrame({"place_code": list(children), "place_name": list(children.values())})
    frame["group"] = [_group_of(code, level, options) for code in frame["place_code"]]
    frame["group_name"] = [options.cities.get(group, name)  # type: ignore[attr-defined]
                           for group, name in zip(frame["group"], frame["place_name"], strict=True)]
    frame = frame.merge(values[["place_code", "value", "meets"]], on="place_code", how="left")
    with_value = frame.dropna(subset=["value"])
    cls, legend, fills = classify(with_value, indicator, classing, lang) if not with_value.empty else (pd.Series(dtype=str), [], [])
    no_data = t("maps.no_data", lang=lang)
    frame["cls"] = cls.reindex(frame.index).fillna(no_data)
    if frame["cls"].eq(no_data).any():
        legend, fills = [*legend, no_data], [*fills, NO_DATA_FILL]
    frame["value_text"] = [fmt_value(v, indicator.unit, lang=lang) if not _missing(v) else no_data for v in frame["value"]]
    frame["status"] = [status_word(m, lang) if not _missing(v) else "" for v, m in zip(frame["value"], frame["meets"], strict=True)]
    frame["target_text"] = target_amount(indicator, lang) if indicator.target_value is not None else t("maps.no_target", lang=lang)
    frame["label"] = [f"{name}\n{_mark(m)} {text}".rstrip() if not _missing(v) else name
                      for name, v, m, text in zip(frame["place_name"], frame["value"], frame["meets"], frame["value_text"], strict=True)]
    drawn = frame.merge(outlines[["place_code", "shape"]], on="place_code", how="inner")
    missing = [name for code, name in children.items() if code not in set(outlines["place_code"])]
    return drawn, legend, fills, missing, outlines[["source", "approval"]].drop_duplicates()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _mark(meets: object) -> str:
    if meets is True or meets == True:  # noqa: E712 (numpy and pandas booleans)
        return MET_MARK
    if meets is False or meets == False:  # noqa: E712
        return NOT_MET_MARK
    return ""


def _group_of(code: str, level: str, options: object) -> str:
    """What a place is drawn with when far-apart groups are set side by side: a county with its city."""
    return options.counties[code][1] if level == "county" else code  # type: ignore[attr-defined]


def _children(filters: Filters, level: str, options: object) -> dict[str, str]:
    """The places one level below the selection, code -> name, in the order the sidebar lists them."""
    if level == "city":
        return dict(options.cities)  # type: ignore[attr-defined]
    if level == "county":  # every county of the province when no city is chosen
        return {code: name for code, (name, parent) in options.counties.items()  # type: ignore[attr-defined]
                if filters.city is None or parent == filters.city}
    return {code: name for code, (name, parent) in options.towns.items() if parent == filters.county}  # type: ignore[attr-defined]


def note(sources: pd.DataFrame, missing: list[str], arranged: bool = False) -> str:
    """The small print under a map: schematic unless every outline is an approved standard map, where the
    outlines come from, that far-apart cities were set side by side (`arranged`), and the places drawn
    nowhere."""
    approvals = sources["approval"].dropna().unique().tolist()
    join = "、".join if current_lang() == "zh" else "; ".join
    if approvals and sources["approval"].notna().all():
        text = t("maps.note_standard", approval=join(map(str, approvals)))
    else:
        text = t("maps.note_schematic", source=join(map(str, sources["source"].unique())))
    if arranged:
        text += t("maps.note_arranged")
    if missing:
        text += t("maps.note_missing", places=join(missing))
    return inert(text)


def area_map(filters: Filters, indicator: Indicator, drill: Callable[[Filters, str, str], None] = widgets.drill,
             key: str = "", current: str | None = None) -> None:
    """The map of `indicator` one level below the selection, with its class switch, legend and note; a
    click on an area calls `drill(filters, level, code)`. Says so, and draws nothing, where there are no
    outlines (a town map without town boundaries)."""
    classes_key = f"{key}_classes" if key and key != "map" else "map_classes"  # two maps on one page
    level = child_level(filters, indicator)
    province = level == "city" and indicator.level in ("county", "town", "facility")
    # The province's map by city or by all its counties, beside the classes: one row keeps a slide's map large.
    classes_place, units_place = st.columns(2) if province else (st.container(), None)
    urlstate.choice(classes_key, list(CLASSINGS), TARGET)
    with classes_place:
        classing = st.segmented_control(
            t("maps.classes"), list(CLASSINGS), key=classes_key, format_func=lambda c: t(f"maps.classing.{c}"),
            selection_mode="single",
        ) or TARGET
    urlstate.write_choice(classes_key, TARGET)
    if indicator.target_value is None and classing == TARGET:
        classing = QUANTILE
    if units_place is not None:
        units_key = f"{key}_units" if key and key != "map" else "map_units"
        urlstate.choice(units_key, list(PROVINCE_UNITS), "city")
        with units_place:
            level = st.segmented_control(
                t("maps.units"), list(PROVINCE_UNITS), key=units_key, format_func=lambda unit: t(f"level.{unit}"),
                selection_mode="single",
            ) or "city"
        urlstate.write_choice(units_key, "city")
    found = map_areas(filters, indicator, classing, level)
    if found is None or found[0].empty:
        st.info(t("maps.none", level=t(f"level.{level}") if level else "—"))
        return
    areas, legend, fills, missing, sources = found
    title = indicator.name(current_lang())
    slide = presenter.slideshow_running()
    arranged = arrangement(areas, SLIDE_ASPECT if slide else PAGE_ASPECT) if filters.city is None else None
    # On a slide the map shares the screen with its picker, legend and note (×1.4 in presenter mode).
    spec = map_spec(areas, legend, fills, title, current=current, height=SLIDE_HEIGHT if slide else 460,
                    marks_only=filters.city is None and level == "county", arranged=arranged)
    st.caption(t("maps.caption", indicator=inert(title), level=t(f"level.{level}").lower()))  # "by county" in English
    st.html(_CLICK_THROUGH)
    chart_key = click_key(filters, "map", indicator.code, filters.month_from, filters.month_to, classing, level, key)
    event = presenter.altair_chart(spec, key=chart_key, on_select="rerun")
    st.caption(note(sources, missing, arranged=arranged is not None))
    downloads.download_row(f"map_{key or 'page'}", widgets.title_block(t("maps.export_title", indicator=title), filters),
                           chart=spec, table=map_table(areas, level))
    picked = widgets.selected_values(event, MAP_SELECTION, "place_code")
    if picked and picked[0] != current:
        drill(filters, str(level), picked[0])



def map_table(areas: pd.DataFrame, level: str | None) -> pd.DataFrame:
    """The mapped places as a table to download: name, value, target and pass or fail in words."""
    return pd.DataFrame({
        t(f"level.{level}") if level else t("maps.tip_place"): areas["place_name"].astype(str).to_numpy(),
        t("maps.tip_value"): areas["value_text"].to_numpy(),
        t("maps.tip_target"): areas["target_text"].to_numpy(),
        t("maps.tip_status"): areas["status"].to_numpy(),
    })


def indicator_map(filters: Filters, codes: list[str], key: str = "map", current: str | None = None) -> None:
    """A choice of indicator among `codes` (kept in the URL under `key`) and its map (`current` in bold)."""
    catalog = indicator_catalog()
    urlstate.choice(key, codes, codes[0])
    st.selectbox(t("maps.indicator"), codes, key=key, format_func=lambda code: catalog[code].name(current_lang()))
    urlstate.write_choice(key, codes[0])
    area_map(filters, catalog[st.session_state[key]], key=key, current=current)


def town_map(county: Filters, codes: list[str], key: str = "town_map") -> None:
    """The county's towns on a map of `codes` where the towns have outlines (a commission loads them; the
    demo's invented towns have none); otherwise a short note and no map."""
    towns = [code for code, (_, parent) in filter_options().towns.items() if parent == county.county]
    if not towns or shapes(towns, "city").empty:
        st.caption(t("maps.no_town_outlines"))
        return
    indicator_map(county, codes, key=key)
