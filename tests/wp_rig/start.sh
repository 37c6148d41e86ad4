#!/usr/bin/env bash
# Start the WordPress + WooCommerce acceptance rig on loopback (idempotent).
# Copied from ../shared/wordpress so a clone tests without it; start through scripts/wp_rig.sh.
#
#   start.sh [WC_PLUGIN_DIR [WP_DIR]]
#
# Arguments override the environment, which overrides the defaults:
#   WC_RIG_HOME        where the three folders below live ($HOME/.cache/wc-rig)
#   WC_RIG_WC_DIR      built WooCommerce plugin folder   ($WC_RIG_HOME/woocommerce)
#   WC_RIG_WP_DIR      WordPress core folder, doc root   ($WC_RIG_HOME/wordpress)
#   WC_RIG_STATE_DIR   database, pids, logs, rig.env     ($WC_RIG_HOME/state)
#   WC_RIG_HOST / WC_RIG_PORT                            (127.0.0.1 / 8089)
#   WC_RIG_ADMIN_USER / WC_RIG_ADMIN_PASS / WC_RIG_ADMIN_EMAIL
#                                                        (admin / rig-admin-pass / admin@example.com)
#   WC_RIG_CHECKOUT    classic | blocks, applied at first install   (classic)
#   WC_RIG_EXTRA_PLUGIN_DIRS  space-separated plugin folders to link into
#                      wp-content/plugins/ and activate (e.g. the project's gateway)
#   WC_RIG_CK / WC_RIG_CS     fixed REST key pair to use instead of random ones
#   WC_RIG_PHP_WORKERS number of php -S workers                     (4)
#   WC_RIG_NO_APT=1    never run apt-get (fail if packages are missing)
#   WC_RIG_ALLOW_FILE_MODS=1  allow Plugins > Add New > Upload (off: DISALLOW_FILE_MODS)
#   WC_RIG_DIST        folder holding the two tarballs            (this folder)
#
# It installs the Debian packages it needs, starts a private MariaDB (unix socket
# only, no TCP) and `php -S` with router.php, installs WordPress on the first run,
# activates WooCommerce, and prints the URL, admin login and REST keys.
# It never downloads anything but Debian packages: WordPress and WooCommerce are unpacked
# from the two tarballs in WC_RIG_DIST into WC_RIG_WP_DIR / WC_RIG_WC_DIR when those
# folders are empty.
set -euo pipefail

RIG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
T0=$(date +%s)

HOME_DIR="${WC_RIG_HOME:-$HOME/.cache/wc-rig}"
WC_DIR="${1:-${WC_RIG_WC_DIR:-$HOME_DIR/woocommerce}}"
WP_DIR="${2:-${WC_RIG_WP_DIR:-$HOME_DIR/wordpress}}"
STATE="${WC_RIG_STATE_DIR:-$HOME_DIR/state}"
HOST="${WC_RIG_HOST:-127.0.0.1}"
PORT="${WC_RIG_PORT:-8089}"
ADMIN_USER="${WC_RIG_ADMIN_USER:-admin}"
ADMIN_PASS="${WC_RIG_ADMIN_PASS:-rig-admin-pass}"
ADMIN_EMAIL="${WC_RIG_ADMIN_EMAIL:-admin@example.com}"
CHECKOUT="${WC_RIG_CHECKOUT:-classic}"
WORKERS="${WC_RIG_PHP_WORKERS:-4}"
URL="http://${HOST}:${PORT}"

DB_NAME=wordpress
DB_USER=wp
DB_PASS=wp
SOCK="$STATE/run/mysqld.sock"
PIDS="$STATE/pids"
LOGS="$STATE/logs"

log() { echo "[wc-rig] $*"; }
die() { echo "[wc-rig] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (needs apt-get, chown mysql)"

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v php8.2 >/dev/null || need_pkgs+=(php8.2-cli)
if command -v php8.2 >/dev/null; then
  mods="$(php8.2 -m 2>/dev/null | tr 'A-Z' 'a-z')"
  for pair in mysqli:php8.2-mysql curl:php8.2-curl dom:php8.2-xml mbstring:php8.2-mbstring \
              intl:php8.2-intl zip:php8.2-zip gd:php8.2-gd bcmath:php8.2-bcmath; do
    grep -qx "${pair%%:*}" <<<"$mods" || need_pkgs+=("${pair#*:}")
  done
else
  need_pkgs+=(php8.2-mysql php8.2-curl php8.2-xml php8.2-mbstring php8.2-intl php8.2-zip php8.2-gd php8.2-bcmath)
fi
[ -x /usr/sbin/mariadbd ] || need_pkgs+=(mariadb-server)
command -v mariadb >/dev/null || need_pkgs+=(mariadb-client)
command -v curl >/dev/null || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  [ "${WC_RIG_NO_APT:-0}" = 1 ] && die "missing packages: ${need_pkgs[*]}"
  log "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
PHP="$(command -v php8.2)"

# ---------------------------------------------------------------- code present?
unpack() { # unpack TARBALL DEST  (the tarball holds one top folder)
  [ -f "$1" ] || die "missing $1"
  log "unpacking $(basename "$1") into $2"
  mkdir -p "$2"
  tar -xJf "$1" -C "$2" --strip-components=1
}
# The tarballs come from WC_RIG_DIST (scripts/wp_rig.sh verifies them and sets it).
DIST="${WC_RIG_DIST:-$RIG_DIR}"
[ -f "$WP_DIR/wp-load.php" ] || unpack "$DIST/wordpress-6.8.8.tar.xz" "$WP_DIR"
[ -f "$WC_DIR/woocommerce.php" ] || unpack "$DIST/woocommerce-10.0.2.tar.xz" "$WC_DIR"
[ -f "$WP_DIR/wp-load.php" ] || die "no WordPress at $WP_DIR"
[ -f "$WC_DIR/woocommerce.php" ] || die "no WooCommerce plugin at $WC_DIR (see README.md)"
[ -f "$WC_DIR/vendor/autoload_packages.php" ] || die "$WC_DIR is not a built WooCommerce (vendor/autoload_packages.php missing)"
WP_DIR="$(cd "$WP_DIR" && pwd -P)"
WC_DIR="$(cd "$WC_DIR" && pwd -P)"
# Known defect of the WP-a2z/woocommerce mirror (made on a case-insensitive file
# system): upstream renamed src/Caching/WpCacheEngine.php to WPCacheEngine.php and
# the mirror kept the old name, so the class map points at a missing file.
if [ -f "$WC_DIR/src/Caching/WpCacheEngine.php" ] && [ ! -f "$WC_DIR/src/Caching/WPCacheEngine.php" ]; then
  log "fixing file-name case: $WC_DIR/src/Caching/WPCacheEngine.php"
  cp -p "$WC_DIR/src/Caching/WpCacheEngine.php" "$WC_DIR/src/Caching/WPCacheEngine.php"
fi

mkdir -p "$STATE" "$PIDS" "$LOGS" "$STATE/run" "$STATE/mysql"
chown mysql:mysql "$STATE/run" "$STATE/mysql"
# The mysql user cannot reach a state dir under a 0700 home (/root):
# run MariaDB as root then (mariadbd accepts --user=root).
DB_OS_USER=mysql
if ! runuser -u mysql -- test -w "$STATE/mysql" 2>/dev/null; then
  log "mysql user cannot write $STATE/mysql (parent not traversable); running MariaDB as root"
  DB_OS_USER=root
  chown root:root "$STATE/run" "$STATE/mysql"
fi

alive() { # alive PIDFILE -> 0 if the recorded process runs and is ours (php / mariadbd)
  [ -s "$1" ] || return 1
  local pid; pid="$(cat "$1")"
  kill -0 "$pid" 2>/dev/null && grep -qaE 'mariadbd|php' "/proc/$pid/cmdline" 2>/dev/null
}

# ---------------------------------------------------------------- MariaDB
MYSQL=(mariadb --no-defaults --socket="$SOCK" -uroot)
if [ ! -d "$STATE/mysql/mysql" ]; then
  log "initialising MariaDB data directory $STATE/mysql"
  mariadb-install-db --no-defaults --user="$DB_OS_USER" --datadir="$STATE/mysql" \
    --auth-root-authentication-method=socket --skip-test-db >"$LOGS/mariadb-install.log" 2>&1 \
    || die "mariadb-install-db failed, see $LOGS/mariadb-install.log"
fi
if alive "$PIDS/mariadb.pid" && mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1; then
  log "MariaDB already running (pid $(cat "$PIDS/mariadb.pid"))"
else
  log "starting MariaDB (socket $SOCK, no TCP)"
  rm -f "$SOCK"
  start-stop-daemon --start --background --make-pidfile --pidfile "$PIDS/mariadb.pid" \
    --output "$LOGS/mariadb.out" --exec /usr/sbin/mariadbd -- \
    --no-defaults --user="$DB_OS_USER" --datadir="$STATE/mysql" --socket="$SOCK" \
    --pid-file="$STATE/run/mariadbd.pid" --skip-networking --log-error="$LOGS/mariadb.err" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=128M
  for _ in $(seq 1 60); do
    mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 && break
    alive "$PIDS/mariadb.pid" || die "MariaDB exited, see $LOGS/mariadb.err"
    sleep 0.5
  done
  mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 || die "MariaDB did not come up, see $LOGS/mariadb.err"
fi
"${MYSQL[@]}" -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
  GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost'; FLUSH PRIVILEGES;"

# ---------------------------------------------------------------- WordPress files
if [ ! -s "$STATE/wp-salts.php" ]; then
  "$PHP" -r 'echo "<?php\n"; foreach (["AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT","SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"] as $k) { echo "define(\x27$k\x27, \x27" . bin2hex(random_bytes(32)) . "\x27);\n"; }' >"$STATE/wp-salts.php"
fi
cat >"$WP_DIR/wp-config.php.rig-tmp" <<EOF
<?php
// Generated by wc-rig start.sh on every start; edit start.sh, not this file.
define( 'DB_NAME', '$DB_NAME' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASS' );
define( 'DB_HOST', 'localhost:$SOCK' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
require '$STATE/wp-salts.php';
\$table_prefix = 'wp_';
// The site answers under 127.0.0.1 and localhost (WooCommerce's OAuth 1.0a signs
// the URL, so the home URL has to use the host the client used).
\$wc_rig_hosts = array( '$HOST:$PORT', '127.0.0.1:$PORT', 'localhost:$PORT' );
\$wc_rig_host  = ( isset( \$_SERVER['HTTP_HOST'] ) && in_array( \$_SERVER['HTTP_HOST'], \$wc_rig_hosts, true ) ) ? \$_SERVER['HTTP_HOST'] : '$HOST:$PORT';
define( 'WP_HOME', 'http://' . \$wc_rig_host );
define( 'WP_SITEURL', 'http://' . \$wc_rig_host );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '$LOGS/wp-debug.log' );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );   // only the site's own host and localhost
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'DISALLOW_FILE_MODS', '${WC_RIG_ALLOW_FILE_MODS:-0}' !== '1' );   // WC_RIG_ALLOW_FILE_MODS=1: plugin upload from wp-admin works
define( 'FS_METHOD', 'direct' );
define( 'WC_RIG_MAIL_LOG', '$LOGS/mail.log' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
EOF
mv -f "$WP_DIR/wp-config.php.rig-tmp" "$WP_DIR/wp-config.php"

mkdir -p "$WP_DIR/wp-content/mu-plugins" "$WP_DIR/wp-content/uploads"
cp -f "$RIG_DIR/wc-rig-mu.php" "$WP_DIR/wp-content/mu-plugins/.wc-rig-mu.php.tmp"
mv -f "$WP_DIR/wp-content/mu-plugins/.wc-rig-mu.php.tmp" "$WP_DIR/wp-content/mu-plugins/wc-rig-mu.php"
link_plugin() { # link_plugin SRC_DIR NAME
  local dst="$WP_DIR/wp-content/plugins/$2"
  if [ -L "$dst" ]; then
    ln -sfn "$1" "$dst"
  elif [ -e "$dst" ]; then
    [ "$(cd "$dst" && pwd -P)" = "$1" ] || log "note: $dst is a real folder, using it as it is"
  else
    ln -s "$1" "$dst"
  fi
}
link_plugin "$WC_DIR" woocommerce
EXTRA_BASENAMES=""
for d in ${WC_RIG_EXTRA_PLUGIN_DIRS:-}; do
  d="$(cd "$d" && pwd -P)" || die "extra plugin dir not found: $d"
  name="$(basename "$d")"
  main="$(grep -l '^[[:space:]/*#@]*Plugin Name:' "$d"/*.php 2>/dev/null | head -n1 || true)"
  [ -n "$main" ] || die "no plugin header (Plugin Name:) in $d/*.php"
  link_plugin "$d" "$name"
  EXTRA_BASENAMES="$EXTRA_BASENAMES $name/$(basename "$main")"
done

export WC_RIG_URL="$URL" WC_RIG_ADMIN_USER="$ADMIN_USER" WC_RIG_ADMIN_PASS="$ADMIN_PASS" \
       WC_RIG_ADMIN_EMAIL="$ADMIN_EMAIL" WC_RIG_CHECKOUT="$CHECKOUT" WC_RIG_EXTRA_PLUGINS="$EXTRA_BASENAMES"
setup() { "$PHP" -d memory_limit=512M "$RIG_DIR/rig-setup.php" "$WP_DIR" "$@"; }

# ---------------------------------------------------------------- install / activate
if [ ! -f "$STATE/installed" ]; then
  log "first run: installing WordPress + WooCommerce"
  setup install
  setup activate
  setup configure
  # a second load finishes anything WooCommerce deferred to the next request
  setup configure >/dev/null
  rm -f "$STATE/rig.env"
  touch "$STATE/installed"
else
  setup activate >/dev/null
fi

# ---------------------------------------------------------------- REST keys + rig.env
prev_ck=""; prev_cs=""
if [ -f "$STATE/rig.env" ]; then
  prev_ck="$(sed -n 's/^WC_RIG_CK=//p' "$STATE/rig.env")"
  prev_cs="$(sed -n 's/^WC_RIG_CS=//p' "$STATE/rig.env")"
fi
want_ck="${WC_RIG_CK:-$prev_ck}"; want_cs="${WC_RIG_CS:-$prev_cs}"
keys="$(WC_RIG_CK="$want_ck" WC_RIG_CS="$want_cs" setup keys)"
CK="$(sed -n 's/^WC_RIG_CK=//p' <<<"$keys")"
CS="$(sed -n 's/^WC_RIG_CS=//p' <<<"$keys")"
info="$(setup info)"
{
  echo "WC_RIG_URL=$URL"
  echo "WC_RIG_ADMIN_USER=$ADMIN_USER"
  echo "WC_RIG_ADMIN_PASS=$ADMIN_PASS"
  echo "WC_RIG_CK=$CK"
  echo "WC_RIG_CS=$CS"
  echo "WC_RIG_DB_SOCKET=$SOCK"
  echo "WC_RIG_DB_NAME=$DB_NAME"
  echo "WC_RIG_DB_USER=$DB_USER"
  echo "WC_RIG_DB_PASS=$DB_PASS"
  echo "WC_RIG_WP_DIR=$WP_DIR"
  echo "WC_RIG_WC_DIR=$WC_DIR"
  sed 's/^/WC_RIG_/' <<<"$info"
} >"$STATE/rig.env.tmp"
mv "$STATE/rig.env.tmp" "$STATE/rig.env"

# ---------------------------------------------------------------- PHP web server
if alive "$PIDS/php.pid"; then
  log "PHP server already running (pid $(cat "$PIDS/php.pid"))"
else
  log "starting php -S $HOST:$PORT ($WORKERS workers)"
  PHP_CLI_SERVER_WORKERS="$WORKERS" start-stop-daemon --start --background --make-pidfile \
    --pidfile "$PIDS/php.pid" --chdir "$WP_DIR" --output "$LOGS/php-server.log" --exec "$PHP" -- \
    -d memory_limit=512M -d max_execution_time=300 -d display_errors=0 -d log_errors=1 \
    -d error_log="$LOGS/php-error.log" -d upload_max_filesize=32M -d post_max_size=32M \
    -S "$HOST:$PORT" -t "$WP_DIR" "$RIG_DIR/router.php"
fi
code=000
for _ in $(seq 1 60); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/wp-json/wc/v3" || true)"
  [ "$code" = 200 ] || [ "$code" = 401 ] && break
  alive "$PIDS/php.pid" || die "php -S exited, see $LOGS/php-server.log"
  sleep 0.5
done
[ "$code" = 200 ] || [ "$code" = 401 ] || die "$URL/wp-json/wc/v3 answered HTTP $code"

# ---------------------------------------------------------------- report
get() { sed -n "s/^$1=//p" "$STATE/rig.env"; }
cat <<EOF
[wc-rig] ready in $(( $(date +%s) - T0 ))s
  site        $URL/   (admin: $URL/wp-admin/)
  admin       $ADMIN_USER / $ADMIN_PASS
  REST        $URL/wp-json/wc/v3/  (OAuth 1.0a over http; host 127.0.0.1 or localhost)
  consumer    key    $CK
              secret $CS
  versions    WordPress $(get WC_RIG_WP_VERSION), WooCommerce $(get WC_RIG_WC_VERSION), PHP $("$PHP" -r 'echo PHP_VERSION;')
  store       currency $(get WC_RIG_WC_CURRENCY), country $(get WC_RIG_WC_COUNTRY), HPOS $(get WC_RIG_HPOS)
  checkout    $(get WC_RIG_CHECKOUT_URL) ($(get WC_RIG_CHECKOUT_TYPE)); demo product id $(get WC_RIG_DEMO_PRODUCT_ID)
  plugins     $(get WC_RIG_ACTIVE_PLUGINS)
  pids        mariadbd $(cat "$PIDS/mariadb.pid"), php -S $(cat "$PIDS/php.pid")
  database    $DB_NAME ($DB_USER/$DB_PASS) on socket $SOCK
  all values  $STATE/rig.env   logs: $LOGS/
EOF
