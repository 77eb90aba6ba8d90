#!/bin/sh
# 按 /etc/healthdash/healthdash.env 生成 nginx 站点并安装 systemd 服务。以 root 运行：
#   deploy/configure.sh [ENV_FILE [NGINX_CONF [UNIT_DIR [BIN_DIR]]]]
# Renders the nginx site from the env file (an upstream of HEALTHDASH_PROCESSES processes), installs the systemd
# units (healthdash.service wanting one healthdash@<port>.service per process) and the `healthdash` command; the
# arguments default to the system's places (pass others to look at the result first).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
env_file=${1:-/etc/healthdash/healthdash.env}
nginx_conf=${2:-/etc/nginx/conf.d/healthdash.conf}
unit_dir=${3:-/etc/systemd/system}
bin_dir=${4:-/usr/local/bin}

[ -r "$env_file" ] || { echo "找不到配置文件 $env_file（可从 $here/healthdash.env 复制）/ no $env_file" >&2; exit 1; }
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
for name in HEALTHDASH_SERVER_NAME HEALTHDASH_PUBLIC_PORT HEALTHDASH_PORT HEALTHDASH_MAX_LOAD_MB; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || { echo "$env_file 中缺少 $name / $name is missing" >&2; exit 1; }
done
processes=${HEALTHDASH_PROCESSES:-1}
case "$processes$HEALTHDASH_PORT" in
    *[!0-9]*) echo "HEALTHDASH_PROCESSES 和 HEALTHDASH_PORT 须为正整数 / must be whole numbers" >&2; exit 1 ;;
esac
if [ "$processes" -lt 1 ] || [ "$processes" -gt 32 ] || [ $((HEALTHDASH_PORT + processes - 1)) -gt 65535 ]; then
    echo "HEALTHDASH_PROCESSES 须在 1 到 32 之间，且端口不超过 65535 / HEALTHDASH_PROCESSES must be 1 to 32" >&2; exit 1
fi
last_port=$((HEALTHDASH_PORT + processes - 1))
# The upstream's server line once per process, then only our variables are replaced: nginx's own $host,
# $http_upgrade ... stay as they are.
awk -v first="$HEALTHDASH_PORT" -v n="$processes" '
    /server 127\.0\.0\.1:\$\{HEALTHDASH_PORT\};/ {
        for (i = 0; i < n; i++) { line = $0; sub(/\$\{HEALTHDASH_PORT\}/, first + i, line); print line }
        next
    }
    { print }' "$here/nginx-healthdash.conf.in" |
sed -e "s|\${HEALTHDASH_SERVER_NAME}|$HEALTHDASH_SERVER_NAME|g" \
    -e "s|\${HEALTHDASH_PUBLIC_PORT}|$HEALTHDASH_PUBLIC_PORT|g" \
    -e "s|\${HEALTHDASH_PORT}|$HEALTHDASH_PORT|g" \
    -e "s|\${HEALTHDASH_MAX_LOAD_MB}|$HEALTHDASH_MAX_LOAD_MB|g" > "$nginx_conf"
install -m 644 "$here/healthdash.service" "$unit_dir/healthdash.service"
install -m 644 "$here/healthdash@.service" "$unit_dir/healthdash@.service"
install -m 644 "$here/healthdash-briefing.service" "$unit_dir/healthdash-briefing.service"
install -m 644 "$here/healthdash-briefing.timer" "$unit_dir/healthdash-briefing.timer"
install -m 755 "$here/healthdash" "$bin_dir/healthdash"
# What `systemctl enable healthdash@<port>` does, for every port: healthdash.service wants the instance. Links
# of ports no longer in the range go (their processes are stopped by hand, as said below).
wants="$unit_dir/healthdash.service.wants"
mkdir -p "$wants"
dropped=""
for link in "$wants"/healthdash@*.service; do
    [ -L "$link" ] || continue
    port=${link##*@}; port=${port%.service}
    if [ "$port" -lt "$HEALTHDASH_PORT" ] || [ "$port" -gt "$last_port" ]; then rm -f "$link"; dropped="$dropped healthdash@$port"; fi
done
port=$HEALTHDASH_PORT
while [ "$port" -le "$last_port" ]; do
    ln -sfn "$unit_dir/healthdash@.service" "$wants/healthdash@$port.service"
    port=$((port + 1))
done
echo "已写入 / written: $nginx_conf, $unit_dir/healthdash.service, $unit_dir/healthdash@.service ($processes 个进程 / processes: 127.0.0.1:$HEALTHDASH_PORT-$last_port), $unit_dir/healthdash-briefing.{service,timer}, $bin_dir/healthdash"
[ -z "$dropped" ] || echo "不再使用 / no longer wanted:$dropped（请运行 / run: systemctl stop$dropped）"
echo "接下来 / next: nginx -t && systemctl reload nginx && systemctl daemon-reload && systemctl enable healthdash healthdash-briefing.timer && systemctl restart healthdash"
