"""The offline bundle (issue 22) installs and runs with the network cut.

The x86_64 bundle is built (wheels from the package index, cached between runs in
$HEALTHDASH_WHEEL_CACHE or ~/.cache/healthdash/wheels), unpacked into a fresh folder, installed by its
install.sh inside `unshare -n` (a network namespace with nothing but loopback), then started as the README
says and opened in Chromium inside another such namespace: the first page must draw, and neither the
browser nor the server may try to reach anything but 127.0.0.1. The exports run with the system's fonts
hidden as well (`unshare -m`), so they must draw with the bundle's own Noto CJK. For aarch64 the wheel
list is resolved and every requirement must have a wheel for that machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tools import bundle

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# A tofu-less Chinese title leaves over a thousand dark pixels in its band; boxes or nothing, a few hundred.
DRAWN_TITLE_PIXELS = 800


def require_unshare(*flags: str) -> None:
    """Fail, never skip: a skipped offline test would look like a passed one."""
    done = subprocess.run(["unshare", *flags, "true"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"`unshare {' '.join(flags)} true` does not work here ({done.stderr.strip()}): the offline "
                    "install test needs root (CI runs as root) or user namespaces", pytrace=False)


def run(command: list[str], cwd: Path, timeout: float, **options: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL, **options)
    assert done.returncode == 0, f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.browser
def test_x86_64_bundle_installs_and_serves_with_no_network(tmp_path: Path) -> None:
    require_unshare("-n")
    require_unshare("-n", "-m")
    started = time.monotonic()
    archive = bundle.build("x86_64", tmp_path / "dist")
    built_s = time.monotonic() - started
    assert archive.name.startswith("healthdash-") and archive.name.endswith("-offline-x86_64.tar.gz")

    unpacked = tmp_path / "target"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()
    wheels = sorted(path.name for path in (root / "wheelhouse").glob("*.whl"))
    listed = sorted(line.split()[1] for line in (root / "wheelhouse/SHA256SUMS").read_text().splitlines())
    assert wheels == listed, "SHA256SUMS lists exactly the wheels shipped"
    assert (root / "fonts/NotoSansCJK-Regular.ttc").is_file() and os.access(root / "install.sh", os.X_OK)
    assert not (root / "data/health.duckdb").exists(), "the bundle carries no database"

    started = time.monotonic()
    installed = run(["unshare", "-n", "--", "./install.sh"], root, 300)
    install_s = time.monotonic() - started
    assert "安装完成" in installed.stdout

    started = time.monotonic()
    shot = SCREENSHOTS / "offline-bundle-first-page.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    probe = run(["unshare", "-n", "--", sys.executable,
                 str(REPO / "tests/tools/offline_probe.py"), str(root), str(shot)], REPO, 400)
    probe_s = time.monotonic() - started
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert "error" not in seen, f"{seen['error']}\n{seen.get('log_tail', '')}"
    assert seen["interfaces"] == ["lo"] and seen["outside"], f"the namespace was not cut off: {seen}"
    assert seen["database_built"], "the first start built the demo database"
    assert seen["metrics"] >= 3 and not seen["problems"], f"the first page did not draw cleanly: {seen}"
    assert seen["title"] == "医联体运行监测看板"
    assert "数据管理" in seen["data_page_text"] and not seen["data_page_problems"], f"the data page: {seen}"
    assert seen["outside_requests"] == [], "the page asked for something beyond 127.0.0.1"
    assert seen["server_network_attempts"] == [], "the server tried to reach the network"

    # System fonts hidden under an empty tmpfs: only fonts/ of the bundle can draw the Chinese.
    exports = run(["unshare", "-n", "-m", "--", "sh", "-c", "mount -t tmpfs none /usr/share/fonts && exec "
                   ".venv/bin/python tests/tools/offline_exports.py"], root, 120,
                  env={"PATH": "/usr/bin:/bin", "HOME": str(root), "LANG": "C.UTF-8"})
    made = json.loads(exports.stdout.strip().splitlines()[-1])
    assert made["pdf_starts"] == "%PDF-" and made["pdf_font"].startswith(str(root / "fonts"))
    assert made["png_title_dark_pixels"] > DRAWN_TITLE_PIXELS, "the chart's Chinese title was not drawn"
    # The Word 专报 and the slides, each with the chart as an image (python-docx, python-pptx and lxml's wheel).
    assert made["docx_starts"] == "PK" and made["docx_bytes"] > 20_000, made
    assert made["pptx_starts"] == "PK" and made["pptx_bytes"] > 20_000, made
    print(f"\n[bundle] {archive.stat().st_size / 1e6:.0f} MB, built in {built_s:.0f} s, installed offline in "
          f"{install_s:.0f} s, server up {seen['server_answered_s']} s, first page {seen['first_page_s']} s, browser step "
          f"{probe_s:.0f} s")


def test_the_probe_notices_a_server_that_reaches_out(tmp_path: Path) -> None:
    from tests.tools.offline_probe import LAUNCH

    (tmp_path / "reaching.py").write_text("import socket\ntry:\n    socket.create_connection(('pypi.org', 443), 1)\n"
                                          "except OSError:\n    pass\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", LAUNCH, "reaching"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=30, check=False)
    assert "NETWORK-ATTEMPT getaddrinfo pypi.org" in done.stderr


def test_every_requirement_has_an_aarch64_wheel() -> None:
    wheels = bundle.wheel_list("aarch64")
    names = {wheel.name: wheel for wheel in wheels}
    for name, version in bundle.pinned_requirements().items():
        assert name in names and names[name].version == version, f"{name}=={version} has no aarch64 wheel"
    for wheel in wheels:
        tags = wheel.path.name.removesuffix(".whl").split("-")[-1]
        assert tags == "any" or "aarch64" in tags, f"{wheel.path.name} is not for aarch64"
    assert {"duckdb", "numpy", "pyarrow", "psycopg-binary", "vl-convert-python"} <= names.keys()
