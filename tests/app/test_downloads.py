"""GET /downloads/korea-checkout.zip: the plugin tree under korea-checkout/, byte for byte,
cached per process until a plugin file changes, with an ETag and the pages' rate limit."""

from __future__ import annotations

import io
import os
import secrets
import shutil
import zipfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.downloads import PLUGIN_DIR, PluginArchive
from app.payments.errors import NotFound
from tests.conftest import make_settings

URL = "/downloads/korea-checkout.zip"


def tree(source: Path) -> dict[str, bytes]:
    return {
        path.relative_to(source).as_posix(): path.read_bytes()
        for path in source.rglob("*")
        if path.is_file()
    }


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_is_the_plugin_tree_under_its_folder_with_the_compiled_translation(
    client: FlaskClient,
):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=korea-checkout.zip"
    assert "no-cache" in response.headers["Cache-Control"]
    files = unzipped(response.data)
    expected = {f"korea-checkout/{name}": data for name, data in tree(PLUGIN_DIR).items()}
    assert files == expected  # every PHP file (and the rest) byte-identical
    assert "korea-checkout/korea-checkout.php" in files
    assert "korea-checkout/languages/korea-checkout-ko_KR.mo" in files


def test_the_etag_answers_not_modified_and_head_has_no_body(client: FlaskClient):
    first = client.get(URL)
    etag = first.headers["ETag"]

    assert client.get(URL).headers["ETag"] == etag
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    head = client.head(URL)
    assert head.status_code == 200
    assert head.headers["ETag"] == etag
    assert head.data == b""


def test_the_archive_is_cached_until_a_file_changes_and_leaves_dotfiles_out(tmp_path: Path):
    source = tmp_path / "korea-checkout"
    shutil.copytree(PLUGIN_DIR, source)
    (source / ".DS_Store").write_bytes(b"litter")
    archive = PluginArchive(source)

    first = archive.current()
    assert archive.current() is first  # nothing changed: not rebuilt
    assert "korea-checkout/.DS_Store" not in unzipped(first.data)

    main = source / "korea-checkout.php"
    main.write_bytes(main.read_bytes() + b"\n// changed\n")
    stat = main.stat()
    os.utime(main, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = archive.current()
    assert changed.etag != first.etag
    assert unzipped(changed.data)["korea-checkout/korea-checkout.php"].endswith(b"// changed\n")


def test_no_plugin_folder_is_not_found(tmp_path: Path):
    with pytest.raises(NotFound):
        PluginArchive(tmp_path / "missing").current()


def test_downloads_share_the_hosted_pages_limit_per_client_address(
    database_url: str, redis_namespace: str, tmp_path: Path
):
    settings = make_settings(
        database_url,
        f"{redis_namespace}:dl-{secrets.token_hex(4)}",
        tmp_path,
        RATE_LIMIT_PAGES_PER_MINUTE=1,
    )
    app = create_app(settings)
    client = app.test_client()
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 429
    assert client.get(URL, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200
    app.extensions["kc.database"].dispose()
