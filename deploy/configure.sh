#!/bin/sh
# 按 /etc/healthdash/healthdash.env 生成 nginx 站点并安装 systemd 服务。以 root 运行：
#   deploy/configure.sh [ENV_FILE [NGINX_CONF [UNIT_DIR [BIN_DIR]]]]
# Renders the nginx site from the env file, installs the systemd unit and the `healthdash` command; the
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
# Only our variables are replaced: nginx's own $host, $http_upgrade ... stay as they are.
sed -e "s|\${HEALTHDASH_SERVER_NAME}|$HEALTHDASH_SERVER_NAME|g" \
    -e "s|\${HEALTHDASH_PUBLIC_PORT}|$HEALTHDASH_PUBLIC_PORT|g" \
    -e "s|\${HEALTHDASH_PORT}|$HEALTHDASH_PORT|g" \
    -e "s|\${HEALTHDASH_MAX_LOAD_MB}|$HEALTHDASH_MAX_LOAD_MB|g" \
    "$here/nginx-healthdash.conf.in" > "$nginx_conf"
install -m 644 "$here/healthdash.service" "$unit_dir/healthdash.service"
install -m 644 "$here/healthdash-briefing.service" "$unit_dir/healthdash-briefing.service"
install -m 644 "$here/healthdash-briefing.timer" "$unit_dir/healthdash-briefing.timer"
install -m 755 "$here/healthdash" "$bin_dir/healthdash"
echo "已写入 / written: $nginx_conf, $unit_dir/healthdash.service, $unit_dir/healthdash-briefing.{service,timer}, $bin_dir/healthdash"
echo "接下来 / next: nginx -t && systemctl reload nginx && systemctl daemon-reload && systemctl enable --now healthdash healthdash-briefing.timer"
