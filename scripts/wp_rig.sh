#!/usr/bin/env bash
# The real WordPress 6.8.8 + WooCommerce 10.0.2 the plugin tests run against.
#
#   scripts/wp_rig.sh dist    print a folder holding the two verified tarballs
#   scripts/wp_rig.sh start   start the rig (tests/wp_rig/start.sh; WC_RIG_* settings apply)
#   scripts/wp_rig.sh stop    stop it (tests/wp_rig/stop.sh)
#
# Tarballs come from KC_WP_DIST (default ../shared/wordpress) when they are there and match
# the sha256 pinned in tests/wp_rig/checksums.sha256: nothing is downloaded then. Otherwise
# the same releases are downloaded from wordpress.org into KC_WP_CACHE (default
# var/wp-dist), every file checked against the checksums wordpress.org publishes for that
# release (what `wp core verify-checksums` / `wp plugin verify-checksums` compare), and
# repacked as the tarballs the rig unpacks. KC_WP_OFFLINE=1 forbids the download.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RIG="$ROOT/tests/wp_rig"
WP_VERSION=6.8.8
WC_VERSION=10.0.2
DIST="${KC_WP_DIST:-$ROOT/../shared/wordpress}"
CACHE="${KC_WP_CACHE:-$ROOT/var/wp-dist}"

log() { echo "[wp_rig] $*" >&2; }

pinned_ok() { # pinned_ok DIR: both tarballs in DIR match the pinned sha256
  [ -f "$1/wordpress-$WP_VERSION.tar.xz" ] && [ -f "$1/woocommerce-$WC_VERSION.tar.xz" ] \
    && (cd "$1" && sha256sum --quiet --check "$RIG/checksums.sha256" >/dev/null 2>&1)
}

verify_tree() { # verify_tree DIR CHECKSUM_JSON KIND: every published file present and equal
  "${PYTHON:-python3}" - "$@" <<'PY'
import hashlib, json, sys
from pathlib import Path
root, published, kind = Path(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
files = published["checksums"] if kind == "core" else published["files"]
if kind == "core" and isinstance(files, dict) and "6.8.8" in files:
    files = files["6.8.8"]
bad = []
for name, want in files.items():
    path = root / name
    if not path.is_file():
        if not name.startswith("wp-content/"):  # default themes/plugins may be trimmed
            bad.append(f"missing {name}")
        continue
    data = path.read_bytes()
    if kind == "core":
        ok = hashlib.md5(data).hexdigest() == want  # the core API publishes md5 only
    else:
        ok = hashlib.sha256(data).hexdigest() in (want["sha256"] if isinstance(want["sha256"], list) else [want["sha256"]])
    if not ok:
        bad.append(f"checksum {name}")
if bad or not files:
    sys.exit("verification failed: " + "; ".join(bad[:10]) if bad else "no checksums published")
print(f"verified {len(files)} files", file=sys.stderr)
PY
}

download() { # fetch the pinned releases from wordpress.org, verify, repack into $CACHE
  if [ "${KC_WP_OFFLINE:-0}" = 1 ]; then
    log "KC_WP_OFFLINE=1: not downloading; put the pinned tarballs in KC_WP_DIST"
    return 1
  fi
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  command -v curl >/dev/null && command -v unzip >/dev/null || {
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq curl unzip >/dev/null
  }
  log "downloading WordPress $WP_VERSION and WooCommerce $WC_VERSION from wordpress.org"
  curl -fsSL --max-time 600 "https://wordpress.org/wordpress-$WP_VERSION.tar.gz" -o "$work/wp.tar.gz"
  curl -fsSL --max-time 60 "https://api.wordpress.org/core/checksums/1.0/?version=$WP_VERSION&locale=en_US" -o "$work/wp.json"
  curl -fsSL --max-time 600 "https://downloads.wordpress.org/plugin/woocommerce.$WC_VERSION.zip" -o "$work/wc.zip"
  curl -fsSL --max-time 60 "https://downloads.wordpress.org/plugin-checksums/woocommerce/$WC_VERSION.json" -o "$work/wc.json"
  mkdir -p "$work/x"
  tar -xzf "$work/wp.tar.gz" -C "$work/x"
  unzip -q "$work/wc.zip" -d "$work/x"
  verify_tree "$work/x/wordpress" "$work/wp.json" core
  verify_tree "$work/x/woocommerce" "$work/wc.json" plugin
  mkdir -p "$CACHE"
  tar -cJf "$CACHE/wordpress-$WP_VERSION.tar.xz" -C "$work/x" wordpress
  tar -cJf "$CACHE/woocommerce-$WC_VERSION.tar.xz" -C "$work/x" woocommerce
  # Verified once: from now on this copy is the pinned one for this clone.
  (cd "$CACHE" && sha256sum "wordpress-$WP_VERSION.tar.xz" "woocommerce-$WC_VERSION.tar.xz" > .verified)
}

dist() {
  if pinned_ok "$DIST"; then echo "$(cd "$DIST" && pwd)"; return; fi
  [ -d "$DIST" ] && log "$DIST lacks the pinned tarballs (or they differ): using wordpress.org"
  if ! { [ -f "$CACHE/.verified" ] && (cd "$CACHE" && sha256sum --quiet --check .verified >/dev/null 2>&1); }; then
    download
  fi
  echo "$CACHE"
}

case "${1:-}" in
  dist) dist ;;
  start) WC_RIG_DIST="$(dist)" exec bash "$RIG/start.sh" ;;
  stop) exec bash "$RIG/stop.sh" ;;
  *) echo "usage: $0 dist|start|stop" >&2; exit 2 ;;
esac
