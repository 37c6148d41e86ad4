#!/usr/bin/env bash
# Builds the installable plugin zip (top folder korea-checkout/, compiled .mo included) from
# wp-plugin/korea-checkout, for Plugins > Add New > Upload Plugin.
#   scripts/wp_zip.sh [OUTPUT.zip]     (default: var/korea-checkout.zip)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$ROOT/var/korea-checkout.zip}"
if command -v msgfmt >/dev/null 2>&1; then bash "$ROOT/scripts/wp_i18n.sh" compile; fi
mkdir -p "$(dirname "$out")"
"${PYTHON:-python3}" - "$ROOT/wp-plugin/korea-checkout" "$out" <<'PY'
import sys, zipfile
from pathlib import Path
source, out = Path(sys.argv[1]), Path(sys.argv[2])
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            archive.write(path, Path("korea-checkout") / path.relative_to(source))
print(out)
PY
