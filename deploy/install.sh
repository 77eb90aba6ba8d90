#!/bin/sh
# 医联体运行监测看板：离线安装。在解压后的安装包目录中运行 ./install.sh：核对 wheel 校验和，用本机的
# Python 3.11 建立 .venv，只从 wheelhouse/ 安装依赖（--no-index，不访问任何网络）。可重复运行。
# Offline install: checks the wheels' SHA256SUMS, creates .venv with the machine's Python 3.11 and installs
# from wheelhouse/ only (--no-index). Safe to run again. PYTHON=/path/to/python3.11 picks the interpreter.
set -eu
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
say() { printf '%s\n' "$*"; }
fail() { printf '安装失败 / install failed: %s\n' "$*" >&2; exit 1; }

platform=$(sed -n 's/^platform=//p' BUNDLE 2>/dev/null || true)
machine=$(uname -m)
[ -z "$platform" ] || [ "$platform" = "$machine" ] || [ "$platform" = x86_64 -a "$machine" = amd64 ] ||
    [ "$platform" = aarch64 -a "$machine" = arm64 ] ||
    fail "本安装包适用于 $platform，本机是 $machine，请换用对应平台的安装包 / bundle is for $platform, this machine is $machine"

command -v "$PYTHON" >/dev/null 2>&1 || fail "找不到 $PYTHON；请安装 Python 3.11（含 venv）或用 PYTHON=路径 指定 / $PYTHON not found"
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$pyver" = 3.11 ] || fail "需要 Python 3.11，$PYTHON 是 $pyver；可用 PYTHON=/usr/bin/python3.11 ./install.sh 指定 / need Python 3.11, got $pyver"
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || fail "$PYTHON 缺少 venv 模块（Debian/UOS：apt-get install python3.11-venv）/ no venv module"

say "核对 wheel 校验和 / checking SHA256SUMS ..."
if command -v sha256sum >/dev/null 2>&1; then
    (cd wheelhouse && sha256sum --quiet -c SHA256SUMS) || fail "wheelhouse/ 中的文件与 SHA256SUMS 不符，安装包可能损坏 / checksum mismatch"
else
    "$PYTHON" - <<'PY' || fail "wheelhouse/ 中的文件与 SHA256SUMS 不符 / checksum mismatch"
import hashlib, pathlib, sys
bad = [n for s, n in (l.split() for l in pathlib.Path("wheelhouse/SHA256SUMS").read_text().splitlines())
       if hashlib.sha256(pathlib.Path("wheelhouse", n).read_bytes()).hexdigest() != s]
sys.exit(1 if bad else 0)
PY
fi

say "建立虚拟环境 .venv / creating .venv ..."
rm -rf .venv
"$PYTHON" -m venv .venv
# Only the wheelhouse: no pip configuration, index or extra find-links of this machine may take part.
env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    .venv/bin/python -m pip install -q --no-index --find-links wheelhouse --only-binary=:all: -r requirements.txt ||
    fail "依赖安装失败（见上方 pip 的信息）/ pip could not install from wheelhouse/"
# `make run` installs requirements when this stamp is older than requirements.txt: here they are installed.
touch .venv/.installed

say ""
say "安装完成。启动看板（首次启动自动生成模拟演示数据库）/ Installed. Start the dashboard:"
say "  .venv/bin/python -m healthdash.serve --server.port 8501"
say "作为系统服务运行、nginx 反向代理、备份与升级：见 docs/DEPLOY.md / as a service: docs/DEPLOY.md"
