#!/usr/bin/env bash
# Makes sure the services the tests use are there: PostgreSQL on 127.0.0.1:5432, Redis on
# 127.0.0.1:6379, php-cli. Machines of this project's kind already run PostgreSQL and Redis;
# a bare Debian machine gets them installed and started here (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "ensure_services: need root to install $*" >&2; return 1; fi
  # Waits for the apt lock another installer may hold.
  if [ -z "${APT_UPDATED:-}" ]; then apt-get -o DPkg::Lock::Timeout=600 update -qq; export APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! command -v php >/dev/null 2>&1; then
  echo "ensure_services: installing php-cli" >&2
  apt_install php-cli
fi

# The plugin tests (tests/wp_plugin) run a real WordPress: PHP 8.2 with its extensions,
# MariaDB, and gettext to check the plugin's translations. tests/wp_rig/start.sh installs
# the same when missing; doing it here keeps apt out of the timed tests.
wp_pkgs=()
command -v php8.2 >/dev/null 2>&1 || wp_pkgs+=(php8.2-cli)
php_modules="$(php8.2 -m 2>/dev/null | tr 'A-Z' 'a-z' || true)"
for pair in mysqli:php8.2-mysql curl:php8.2-curl dom:php8.2-xml mbstring:php8.2-mbstring \
            intl:php8.2-intl zip:php8.2-zip gd:php8.2-gd bcmath:php8.2-bcmath; do
  grep -qx "${pair%%:*}" <<<"$php_modules" || wp_pkgs+=("${pair#*:}")
done
[ -x /usr/sbin/mariadbd ] || wp_pkgs+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || wp_pkgs+=(mariadb-client)
command -v msgfmt >/dev/null 2>&1 || wp_pkgs+=(gettext)
if [ "${#wp_pkgs[@]}" -gt 0 ]; then
  echo "ensure_services: installing ${wp_pkgs[*]}" >&2
  apt_install "${wp_pkgs[@]}"
fi

if ! port_open 6379; then
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/korea-checkout-test-redis.log
fi

if ! port_open 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 100); do port_open 5432 && break; sleep 0.1; done

# The tests connect as postgres@127.0.0.1 to the database "test"; on a fresh install that
# needs trust (or a password) for local TCP and the database itself.
if ! PGCONNECT_TIMEOUT=3 .venv/bin/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test').close()" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v su >/dev/null 2>&1; then
    su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    su postgres -c "createdb test" 2>/dev/null || true
    export TEST_POSTGRES_DSN="postgresql://postgres:postgres@127.0.0.1:5432/test"
    echo "TEST_POSTGRES_DSN=$TEST_POSTGRES_DSN" > .venv/.test-env
  fi
fi

# Browser tests (tests/e2e) drive Debian's Chromium through Playwright; Playwright never
# downloads a browser. Korean fonts make the hosted page's screenshots readable.
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure_services: installing chromium" >&2
  apt_install chromium
fi
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  apt_install fonts-noto-cjk || true
fi
