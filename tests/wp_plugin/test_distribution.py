"""The zip a store owner downloads installs on a fresh site through Plugins > Add New >
Upload, speaks Korean on a Korean site, and leaves nothing behind when deleted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.wp_plugin.rig import Admin, Service, Store, wordpress

PHP = Path(__file__).resolve().parent / "php"


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with wordpress(tmp_path_factory.mktemp("fresh"), linked=False) as running:
        yield running


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory, service: Service) -> Path:
    """The zip as a store owner gets it: from the running service's /downloads."""
    response = requests.get(f"{service.url}/downloads/korea-checkout.zip", timeout=60)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/zip"
    out = tmp_path_factory.mktemp("zip") / "korea-checkout.zip"
    out.write_bytes(response.content)
    return out


def upload(admin: Admin, store: Store, plugin_zip: Path) -> str:
    form = admin.http.get(f"{store.url}/wp-admin/plugin-install.php?tab=upload", timeout=60).text
    nonce = re.search(r'id="_wpnonce" name="_wpnonce" value="([^"]+)"', form)
    assert nonce is not None, form[:1000]
    with plugin_zip.open("rb") as archive:
        answer = admin.http.post(
            f"{store.url}/wp-admin/update.php?action=upload-plugin",
            data={"_wpnonce": nonce.group(1), "install-plugin-submit": "Install Now"},
            files={"pluginzip": ("korea-checkout.zip", archive, "application/zip")},
            timeout=120,
        )
    assert answer.status_code == 200
    return answer.text


def test_the_zip_installs_through_the_upload_screen_and_speaks_korean(
    fresh_site: Store, plugin_zip: Path
):
    admin = Admin(fresh_site)
    installed = upload(admin, fresh_site, plugin_zip)
    activate = re.search(r'href="(plugins\.php\?action=activate[^"]+)"', installed)
    assert activate is not None, installed[-2000:]
    url = activate.group(1).replace("&amp;", "&")
    activated = admin.http.get(f"{fresh_site.url}/wp-admin/{url}", timeout=60)
    assert activated.status_code == 200
    assert (fresh_site.wp_dir / "wp-content" / "plugins" / "korea-checkout" / "languages").is_dir()

    assert fresh_site.run_php(PHP / "site-korean.php").returncode == 0
    page = Admin(fresh_site).settings_page()
    assert "쇼핑몰 연결" in page
    assert "연결 테스트" in page
    assert "API 키 없음" in page
    assert fresh_site.plugin_log_lines() == []

    deleted = fresh_site.run_php(PHP / "delete-plugin.php")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
