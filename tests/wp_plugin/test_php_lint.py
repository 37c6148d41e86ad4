"""Every PHP file of the plugin (and of the test mu-plugin) parses under the PHP in use."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.wp_plugin.rig import MU_PLUGIN, PLUGIN_DIR


def php_files() -> list[Path]:
    return [*sorted(PLUGIN_DIR.rglob("*.php")), MU_PLUGIN]


def test_every_php_file_lints():
    files = php_files()
    assert len(files) > 10
    for path in files:
        result = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_refuses_direct_access():
    for path in sorted(PLUGIN_DIR.rglob("*.php")):
        text = path.read_text(encoding="utf-8")
        guard = "WP_UNINSTALL_PLUGIN" if path.name == "uninstall.php" else "ABSPATH"
        assert f"defined( '{guard}' ) || exit;" in text, path
