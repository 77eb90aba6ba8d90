"""Signed in through the form as the demo's sample county viewer (build-demo's accounts, sign-in turned on),
a link naming another county is dropped with a note and shows none of that county: its name appears
nowhere on the page, which stays on the viewer's own county."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from healthdash.access.samples import create_sample_accounts
from healthdash.access.scope import file_reader
from healthdash.access.store import open_store
from tests.browser.helpers import PageLog, open_page, save_screenshot, sign_in
from tests.support.places import region_code

OTHER_COUNTY = "荣县"


@pytest.fixture(scope="module")
def signed_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory, start_app):
    """The demo with its sample accounts (their passwords known here), sign-in required."""
    folder = tmp_path_factory.mktemp("signin")
    db = folder / "health.duckdb"
    shutil.copyfile(browser_db, db)
    store = open_store(db, iterations=1_000)
    samples = {sample.name: sample for sample in create_sample_accounts(store, file_reader(db))}
    store.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEALTHDASH_AUTH", "required")
        with start_app(db, folder) as server:
            yield server, db, samples


def test_a_county_viewer_following_a_link_to_another_county_sees_none_of_it(page_for, signed_server) -> None:
    server, db, samples = signed_server
    viewer = samples["demo-county-viewer"]
    page = page_for(server.url, PageLog())
    open_page(page, "/")
    sign_in(page, viewer.name, viewer.password)
    assert viewer.place in page.locator("body").inner_text(), "signed in, on the county's own figures"
    other = region_code(db, OTHER_COUNTY)
    open_page(page, f"/county?county={other}")
    save_screenshot(page, "signin-county-viewer-other-county")
    text = page.locator("body").inner_text()
    assert "账户名" not in text, "the session held across the new address"
    assert "不在您的权限范围内" in text
    assert OTHER_COUNTY not in text
    assert viewer.place in text
