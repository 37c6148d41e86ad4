"""The plugin's PHP classes tested inside the real WordPress (bootstrapped through wp-load.php)."""

from __future__ import annotations

from pathlib import Path

from tests.wp_plugin.rig import Admin, Store

PHP_TESTS = Path(__file__).resolve().parent / "php" / "test-plugin-classes.php"


def test_plugin_classes_inside_wordpress(store: Store, connected: Admin):
    result = store.run_php(PHP_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 failed"), result.stdout
