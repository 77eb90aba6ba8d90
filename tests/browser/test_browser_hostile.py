"""Hostile names, file names and URL values in a real browser: shown as text, never as a link, image or script.

A copy of the demo database whose city, county, town, facilities, alliances, an indicator and the load
history carry Markdown links, bare URLs, e-mail addresses, HTML, Streamlit's picture codes and maths; every
page of the navigation opened on them, with hostile URL values besides. On each page no link leaves the
app, no image or script appears that the app did not put there, nothing is requested from outside, and the
hostile text is on screen, literally. The data page, unlocked, shows a hostile file name's problems; and
the server refuses an upload from a browser session that has not unlocked it (and takes one once it has).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb
import pytest

from healthdash.core.markup import WORD_JOINER
from healthdash.data.build import rebuild_rollups
from healthdash.ui.navigation import app_pages
from tests.browser.helpers import (
    PageLog,
    assert_clean,
    drop_deep_link_noise,
    open_page,
    save_screenshot,
    wait_until_idle,
)
from tests.support.load_world import csv_bytes
from tests.support.officer import HASH, PASSWORD
from tools.headless import LOCAL_HOSTS

pytestmark = pytest.mark.browser

CITY, COUNTY, TOWN = "450200", "450223", "450223101"
HOSPITAL, TOWNSHIP, CENTRE, DOCTOR = "H450223001", "H450223005", "H450223002", "H450223003"
ALLIANCE, SPECIALTY = "A009", "A010"
INDICATOR = "county_retention_rate"

NAMES = {
    "city": "[柳州](http://evil.example/city)市",
    "county": "http://evil.example/county 鹿寨县",
    "town": "![镇](http://evil.example/town.png)鹿寨镇",
    "hospital": "<script>window.__pwned=1</script>县医院",
    "township": "<img src=http://evil.example/i.png onerror=window.__pwned=2>卫生院",
    "centre": "www.evil.example 中医院",
    "doctor": "someone@evil.example 妇幼保健院",
    "alliance": ":streamlit: :red[红] $x^2$ **医共体** <http://evil.example/a>",
    "specialty": "[联盟](javascript:window.__pwned=3)",
    "grade": "[二甲](http://evil.example/grade)",
    "indicator": "县域内就诊率 mailto:x@evil.example",
    "definition": "[定义](http://evil.example/def) :smile:",
    "source": "<img src=http://evil.example/src.png>",
    "file": "…[坏](http://evil.example)….csv",
    "operator": "<b>http://evil.example/by</b>",
}
HOSTILE_URL_VALUE = "[坏](http://evil.example/url)<img src=http://evil.example/u.png>"


def _hostile(db: Path) -> None:
    """Rename places, facilities, alliances and an indicator, and add a load with a hostile file name."""
    with duckdb.connect(str(db)) as con:
        for code, key in ((CITY, "city"), (COUNTY, "county"), (TOWN, "town")):
            con.execute("update region set name = $name where code = $code", {"name": NAMES[key], "code": code})
        for code, key in ((HOSPITAL, "hospital"), (TOWNSHIP, "township"), (CENTRE, "centre"), (DOCTOR, "doctor")):
            con.execute("update facility set name = $name where code = $code", {"name": NAMES[key], "code": code})
        con.execute("update facility set grade = $grade where code = $code", {"grade": NAMES["grade"], "code": HOSPITAL})
        for code, key in ((ALLIANCE, "alliance"), (SPECIALTY, "specialty")):
            con.execute("update alliance set name = $name where code = $code", {"name": NAMES[key], "code": code})
        con.execute("update indicator set name_zh = $name, definition_zh = $definition, target_source = $source "
                    "where code = $code", {"name": NAMES["indicator"], "definition": NAMES["definition"],
                                           "source": NAMES["source"], "code": INDICATOR})
        con.execute("insert into import_batch values (1, now(), $file, 'ab12', '{}', $by, 'applied')",
                    {"file": NAMES["file"], "by": NAMES["operator"]})
        rebuild_rollups(con)


@pytest.fixture(scope="module")
def hostile_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory, start_app):
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "health.duckdb"
    shutil.copyfile(browser_db, db)
    _hostile(db)
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[data_officer]\npassword_pbkdf2 = "{HASH}"\n',
                       encoding="utf-8")
    with start_app(db, folder, ["--secrets.files", str(secrets)]) as server:
        yield server


@pytest.fixture
def log() -> PageLog:
    return PageLog()


@pytest.fixture
def tab(page_for, hostile_server, log: PageLog):
    page = page_for(hostile_server.url, log)
    open_page(page, "/")  # a deep link as a fresh server's first request is a known Streamlit quirk
    try:
        yield page
    finally:
        page.context.close()


def shown(text: str) -> str:
    """Text as the reader sees it (the word joiners that keep URLs from turning into links are invisible)."""
    return text.replace(WORD_JOINER, "")


def markup_problems(page) -> list[str]:
    """Every link that leaves the app, image or script the app did not make, and injected code that ran."""
    found = page.evaluate("""() => ({
        links: [...document.querySelectorAll('a[href], area[href]')].map(a => a.href),
        images: [...document.querySelectorAll('img, image, source, video, audio, iframe, object, embed')]
            .map(e => e.currentSrc || e.src || e.getAttribute('href') || e.getAttribute('data') || e.tagName),
        scripts: [...document.querySelectorAll('script')].map(s => s.src + ' ' + s.textContent)
            .filter(text => /pwned|evil/.test(text)),
        inMarkdown: [...document.querySelectorAll('[data-testid="stMarkdownContainer"] :is(img, script, iframe, '
            + 'a[href^="mailto:"], a[href^="javascript:"], .katex, b, del, em)')]
            .map(e => e.outerHTML.slice(0, 200)),
        pwned: window.__pwned ?? null,
    })""")
    problems = []
    for href in found["links"]:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or (parts.hostname or "") not in LOCAL_HOSTS:
            problems.append(f"link: {href}")
    problems += [f"image: {src[:120]}" for src in found["images"] if not src.startswith(("data:", "blob:"))
                 or "evil" in src]
    problems += [f"script: {text[:120]}" for text in found["scripts"]]
    problems += [f"markup: {html}" for html in found["inMarkdown"]]
    if found["pwned"] is not None:
        problems.append(f"injected code ran: window.__pwned = {found['pwned']}")
    return problems


PAGES = {page.url_path: page for page in app_pages()}
VISITS = [
    # (url path, query, texts that must be on screen literally)
    ("overview", {"county": COUNTY}, [NAMES["county"], NAMES["city"], NAMES["indicator"]]),
    ("alliances", {"city": CITY, "alliance": ALLIANCE}, [NAMES["alliance"]]),
    ("referrals", {"county": COUNTY, "facility": HOSPITAL}, [NAMES["hospital"]]),
    ("county", {"county": COUNTY}, [NAMES["county"]]),
    ("facility", {"facility": HOSPITAL}, [NAMES["hospital"], NAMES["grade"], NAMES["county"]]),
    ("what-if", {"county": COUNTY}, [NAMES["county"]]),
    ("public-health", {"county": COUNTY}, [NAMES["county"]]),
    ("quality", {"county": COUNTY}, [NAMES["county"]]),
    ("appraisal", {"county": COUNTY}, [NAMES["county"]]),
    ("data", {}, []),
    ("admin", {}, []),
]


def test_every_page_is_visited() -> None:
    assert {path for path, _, _ in VISITS} == set(PAGES)


@pytest.mark.parametrize(("path", "query", "texts"), VISITS, ids=[visit[0] for visit in VISITS])
def test_hostile_names_and_url_values_show_as_text(tab, log: PageLog, path: str, query: dict, texts: list[str]) -> None:
    # Hostile values for keys every page reads: the sidebar's period and tiers, presenter mode.
    values = {**query, "period": HOSTILE_URL_VALUE, "tiers": "<script>window.__pwned=4</script>",
              "present": "http://evil.example/p"}
    address = ("/" if PAGES[path].default else path) + "?" + "&".join(
        f"{key}={quote(value, safe='')}" for key, value in values.items())
    log.clear()
    open_page(tab, address)
    save_screenshot(tab, f"hostile-{path}")
    assert markup_problems(tab) == []
    drop_deep_link_noise(log)
    assert_clean(log, f"{path} with hostile names")
    text = shown(tab.locator("body").inner_text())
    missing = [name for name in texts if name not in text]
    assert not missing, f"shown literally: {missing}"
    if path not in ("data", "admin"):  # the data and admin pages read no selection from the URL
        assert "已忽略" in text and "[坏](http://evil.example/url)" in text, "the dropped value, literally"


def test_presenter_mode_shows_hostile_names_as_text(tab, log: PageLog) -> None:
    open_page(tab, f"county?county={COUNTY}&present=1")
    assert markup_problems(tab) == []
    assert NAMES["county"] in shown(tab.locator("body").inner_text())
    drop_deep_link_noise(log)
    assert_clean(log, "presenter mode")


# ---------------------------------------------------------------------------------------------- data page


def session_ids(page) -> list[str]:
    """Collects the Streamlit session id the server sends the page (register before loading it)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ids: list[str] = []

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            if message.HasField("new_session") and message.new_session.initialize.session_id:
                ids.append(message.new_session.initialize.session_id)

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    return ids


PUT_FILE = """async (url) => {
    const cookie = document.cookie.split('; ').find(part => part.startsWith('_streamlit_xsrf='));
    const body = new FormData();
    body.append('file', new Blob(['x'.repeat(4096)], {type: 'text/csv'}), 'probe.csv');
    const response = await fetch(url, {method: 'PUT', body, credentials: 'same-origin',
        headers: cookie ? {'X-Xsrftoken': decodeURIComponent(cookie.split('=').slice(1).join('='))} : {}});
    return [response.status, await response.text()];
}"""


def unlock(page) -> None:
    page.get_by_label("数据管理员密码").fill(PASSWORD)
    page.get_by_role("button", name="解锁").click()
    page.get_by_text("上传与校验").wait_for()
    wait_until_idle(page)


def test_an_upload_from_a_session_that_has_not_unlocked_is_refused(page_for, hostile_server) -> None:
    log = PageLog()
    page = page_for(hostile_server.url, log)
    try:
        ids = session_ids(page)
        open_page(page, "/")
        open_page(page, "data")
        assert page.locator('[data-testid="stFileUploader"]').count() == 0, "no uploader while locked"
        session = ids[-1]
        status, text = page.evaluate(PUT_FILE, f"/_stcore/upload_file/{session}/probe-1")
        assert status == 403 and "请先在“数据管理”页输入数据管理员密码" in text

        unlock(page)
        status, _ = page.evaluate(PUT_FILE, f"/_stcore/upload_file/{session}/probe-2")
        assert status == 204, "the same session, unlocked, may upload"
        drop_deep_link_noise(log)
        log.console_errors[:] = [error for error in log.console_errors if "403" not in error]  # the refusal
        assert_clean(log, "uploads")
    finally:
        page.context.close()


def test_the_unlocked_data_page_shows_a_hostile_file_name_and_its_problems_as_text(page_for, hostile_server) -> None:
    log = PageLog()
    page = page_for(hostile_server.url, log)
    try:
        open_page(page, "/")
        open_page(page, "data")
        unlock(page)
        bad = csv_bytes("service_volume", [
            {"facility_code": "<img src=http://evil.example/v.png>", "month": "2024-02", "outpatient_visits": 3,
             "inpatient_discharges": 1, "critical_cases": 0, "inpatient_spending": 1}])
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                             files=[{"name": NAMES["file"], "mimeType": "text/csv", "buffer": bad}])
        page.get_by_text("个问题").first.wait_for()
        wait_until_idle(page)
        save_screenshot(page, "hostile-data-problems")
        assert markup_problems(page) == []
        table = shown(page.locator('[data-testid="stTable"]').inner_text())
        assert NAMES["file"] in table, "the file name in the problem table, literally"
        drop_deep_link_noise(log)
        assert_clean(log, "the data page")
    finally:
        page.context.close()
