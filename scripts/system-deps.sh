#!/usr/bin/env bash
# Debian packages the tests need (installed only when missing): redis-server for the multi-process
# refresh-lock test and the Redis token store; postgresql for the PostgreSQL token store (the test
# runs initdb and pg_ctl from /usr/lib/postgresql/<version>/bin itself, as the package's postgres
# user when root, in a temp dir: no cluster service is used); chromium for the browser tests (never
# a downloaded browser); and Authlib, oauthlib, Flask and cryptography under /usr/bin/python3 for
# the interop provider servers (test/interop/servers/; python3-openid for the OpenID 2.0 one). Runs apt-get as root, or through sudo.
set -euo pipefail
packages=()
command -v redis-server >/dev/null || packages+=(redis-server)
command -v initdb >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
[ -x /usr/bin/chromium ] || packages+=(chromium)
for module in authlib:python3-authlib flask:python3-flask oauthlib:python3-oauthlib cryptography:python3-cryptography openid:python3-openid; do
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ${module%%:*}" 2>/dev/null || packages+=("${module#*:}")
done
[ ${#packages[@]} -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
