"""The plugin ships a .pot and a complete Korean translation whose .mo is the compiled .po."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.wp_plugin.rig import PLUGIN_DIR

LANGUAGES = PLUGIN_DIR / "languages"
PO = LANGUAGES / "korea-checkout-ko_KR.po"


def msgids(path: Path) -> set[str]:
    flat = subprocess.run(
        ["msgcat", "--no-wrap", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return set(re.findall(r'^msgid "(.+)"$', flat, flags=re.M))


def test_the_korean_translation_is_complete():
    statistics = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", statistics), statistics
    assert msgids(LANGUAGES / "korea-checkout.pot") <= msgids(PO)


def test_the_mo_is_the_compiled_po(tmp_path: Path):
    compiled = tmp_path / "ko.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == (LANGUAGES / "korea-checkout-ko_KR.mo").read_bytes()


def test_the_pot_lists_every_translatable_string():
    found: set[str] = set()
    pattern = re.compile(
        r"(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\(\s*'((?:[^'\\]|\\.)*)'"
    )
    for path in PLUGIN_DIR.rglob("*.php"):
        found.update(m.replace("\\'", "'") for m in pattern.findall(path.read_text("utf-8")))
    assert found <= msgids(LANGUAGES / "korea-checkout.pot")
