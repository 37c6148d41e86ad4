"""scripts/wp_rig.sh takes the WordPress and WooCommerce tarballs only when they match the
sha256 pinned in the repository; anything else is never unpacked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.wp_plugin.rig import ROOT

SCRIPT = ROOT / "scripts" / "wp_rig.sh"
# The tarballs the rest of the plugin tests use (the same default as the script).
SHARED = Path(os.environ.get("KC_WP_DIST") or ROOT.parent / "shared" / "wordpress")


def dist(tmp_path: Path, source: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KC_WP_DIST": str(source),
        "KC_WP_CACHE": str(tmp_path / "cache"),
        "KC_WP_OFFLINE": "1",
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "dist"], env=env, capture_output=True, text=True, timeout=120
    )


def test_pinned_tarballs_are_used_as_they_are(tmp_path: Path):
    answer = dist(tmp_path, SHARED)
    assert answer.returncode == 0, answer.stderr
    assert Path(answer.stdout.strip()).resolve() == SHARED.resolve()


def test_a_tarball_that_differs_is_refused(tmp_path: Path):
    fake = tmp_path / "dist"
    fake.mkdir()
    (fake / "wordpress-6.8.8.tar.xz").write_bytes(b"not wordpress")
    (fake / "woocommerce-10.0.2.tar.xz").write_bytes(b"not woocommerce")
    answer = dist(tmp_path, fake)
    assert answer.returncode != 0
    assert "lacks the pinned tarballs" in answer.stderr
    assert "KC_WP_OFFLINE=1: not downloading" in answer.stderr
