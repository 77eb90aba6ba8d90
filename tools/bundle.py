"""The offline bundle (issue 22): `python -m tools bundle --platform x86_64|aarch64` (what `make bundle` runs).

Writes dist/healthdash-<version>-offline-<platform>.tar.gz holding the project's git-tracked files, a
wheelhouse of every runtime requirement for Linux on that platform and CPython 3.11 with its SHA256SUMS,
the Noto CJK fonts the PDF and chart exports embed (fonts/, a fallback after the system's), and install.sh,
which builds .venv from the wheelhouse alone. Wheels are downloaded once into a cache folder
($HEALTHDASH_WHEEL_CACHE, default ~/.cache/healthdash/wheels/<platform>) and reused by later builds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
INSTALL_SH = ROOT / "deploy" / "install.sh"
DIST = ROOT / "dist"
PYTHON_VERSION = "3.11"
# manylinux_2_28: glibc 2.28 or newer (麒麟 V10, 统信 UOS 20, RHEL/openEuler 8+); duckdb and numpy need it.
PLATFORM_TAGS = ("manylinux_2_28_{arch}", "manylinux_2_17_{arch}", "manylinux2014_{arch}")
PLATFORMS = ("x86_64", "aarch64")
# Debian's fonts-noto-cjk: the files healthdash/reports/pdf_document.py and ui/chart_export.py look for.
FONT_SOURCES = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
_PIN = re.compile(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*==\s*([^\s;#]+)")


class BundleError(RuntimeError):
    """The bundle cannot be made (a wheel missing for the platform, no font, no git)."""


@dataclass(frozen=True)
class Wheel:
    name: str  # normalised project name
    version: str
    path: Path


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(path: Path = REQUIREMENTS) -> dict[str, str]:
    """{normalised name: version} of every `name==version` line (extras dropped); anything else is refused."""
    pins: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        match = _PIN.match(text)
        if not match:
            raise BundleError(f"{path.name}:{number}: not pinned with == ({text})")
        pins[normalise(match[1])] = match[3]
    return pins


def version() -> str:
    """<date of HEAD>-<short commit>, with -dirty when tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        stamp, commit = git("log", "-1", "--format=%cs %h").split()
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError, ValueError) as error:
        raise BundleError(f"the bundle is made from a git checkout: {error}") from None
    return f"{stamp.replace('-', '')}-{commit}" + ("-dirty" if dirty else "")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def cache_dir(platform: str) -> Path:
    base = os.environ.get("HEALTHDASH_WHEEL_CACHE")
    return (Path(base) if base else Path.home() / ".cache" / "healthdash" / "wheels") / platform


def _platform_args(platform: str) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", PYTHON_VERSION, "--implementation", "cp",
            "--abi", "cp" + PYTHON_VERSION.replace(".", "")]
    for tag in PLATFORM_TAGS:
        args += ["--platform", tag.format(arch=platform)]
    return args


def download(platform: str, into: Path) -> None:
    """Every runtime wheel for `platform` into `into` (pip keeps files already there)."""
    into.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "-r", str(REQUIREMENTS),
               "-d", str(into), *_platform_args(platform)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        problems = "\n".join(line for line in done.stderr.splitlines() if "is ignored" not in line)
        raise BundleError(f"pip download for {platform} failed:\n{problems[-3000:]}")


def resolve(platform: str, wheelhouse: Path) -> list[Wheel]:
    """The wheels pip installs for `platform` from `wheelhouse` alone (no index): proof that the wheelhouse
    is complete, and the list of files to ship. Every pin of requirements.txt must be among them."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--dry-run",
                   "--ignore-installed", "--no-index", "--find-links", str(wheelhouse), "--target", scratch,
                   "--report", str(report), "-r", str(REQUIREMENTS), *_platform_args(platform)]
        env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
        env = {key: value for key, value in env.items() if key not in ("PIP_FIND_LINKS", "PIP_INDEX_URL",
                                                                     "PIP_EXTRA_INDEX_URL")}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            raise BundleError(f"the {platform} wheelhouse is incomplete: pip cannot install from it alone:\n"
                              f"{done.stderr[-3000:]}")
        items = json.loads(report.read_text(encoding="utf-8"))["install"]
    wheels = []
    for item in items:
        url = item["download_info"]["url"]
        path = Path(url.removeprefix("file://"))
        if not path.name.endswith(".whl"):
            raise BundleError(f"{path.name} is no wheel")
        wheels.append(Wheel(normalise(item["metadata"]["name"]), item["metadata"]["version"], path))
    got = {wheel.name: wheel.version for wheel in wheels}
    wrong = {name: pin for name, pin in pinned_requirements().items() if got.get(name) != pin}
    if wrong:
        raise BundleError(f"no {platform} wheel for: " + ", ".join(f"{n}=={v}" for n, v in sorted(wrong.items())))
    return sorted(wheels, key=lambda wheel: wheel.name)


def wheel_list(platform: str) -> list[Wheel]:
    """Download (or reuse from the cache) and resolve the wheels for `platform`."""
    folder = cache_dir(platform)
    download(platform, folder)
    return resolve(platform, folder)


def font_files() -> list[Path]:
    for folder in FONT_SOURCES:
        found = [folder / name for name in FONT_FILES]
        if all(path.is_file() for path in found):
            return found
    raise BundleError("Noto Sans CJK not found on this machine: apt-get install fonts-noto-cjk")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(platform: str, out_dir: Path = DIST) -> Path:
    """Write the bundle for `platform` and return its path."""
    if platform not in PLATFORMS:
        raise BundleError(f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}")
    wheels = wheel_list(platform)
    fonts = font_files()
    name = f"healthdash-{version()}-offline-{platform}"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.tar.gz"
    partial = target.with_suffix(".partial")
    sums = "".join(f"{sha256(wheel.path)}  {wheel.path.name}\n" for wheel in wheels)
    info = (f"version={version()}\nplatform={platform}\npython={PYTHON_VERSION}\n"
            f"built={dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n")
    # Wheels and fonts are compressed already: a light gzip level costs little and saves almost as much.
    with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
        for relative in tracked_files():
            tar.add(ROOT / relative, f"{name}/{relative}", recursive=False)
        tar.add(INSTALL_SH, f"{name}/install.sh")
        for wheel in wheels:
            tar.add(wheel.path, f"{name}/wheelhouse/{wheel.path.name}")
        for font in fonts:
            tar.add(font, f"{name}/fonts/{font.name}")
        _add_text(tar, f"{name}/wheelhouse/SHA256SUMS", sums)
        _add_text(tar, f"{name}/BUNDLE", info)
    partial.replace(target)
    return target


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mode = 0o644
    tar.addfile(member, io.BytesIO(data))


def main(platform: str, check_only: bool) -> int:
    try:
        if check_only:
            wheels = wheel_list(platform)
            print(f"{platform}: {len(wheels)} wheels for {len(pinned_requirements())} requirements, all present")
            for wheel in wheels:
                print(f"  {wheel.path.name}")
            return 0
        target = build(platform)
    except BundleError as error:
        print(f"无法生成离线安装包 / cannot make the bundle: {error}", file=sys.stderr)
        return 1
    print(f"{target} ({target.stat().st_size / 1e6:.0f} MB)")
    return 0
