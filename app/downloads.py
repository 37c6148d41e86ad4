"""GET /downloads/korea-checkout.zip: the WordPress plugin as Plugins > Add New > Upload takes it.

Built from wp-plugin/korea-checkout on demand, as scripts/wp_zip.sh builds it: every file but
dotfiles, under a top folder korea-checkout/, the committed compiled .mo files included. The
zip is kept per process and rebuilt only when a plugin file changes (paths, sizes, mtimes);
its ETag is the zip's SHA-256, so every worker serving the same tree gives the same one.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, send_file

from app.payments.errors import NotFound

PLUGIN_SLUG = "korea-checkout"
PLUGIN_DIR = Path(__file__).resolve().parents[1] / "wp-plugin" / PLUGIN_SLUG
ZIP_NAME = f"{PLUGIN_SLUG}.zip"

bp = Blueprint("downloads", __name__, url_prefix="/downloads")

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class PluginZip:
    data: bytes
    etag: str


def plugin_files(source: Path) -> list[Path]:
    """What goes into the zip, in a stable order: dotfiles (editor and VCS litter) stay out."""
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )


def build_zip(source: Path, files: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = (Path(PLUGIN_SLUG) / path.relative_to(source)).as_posix()
            # from_file keeps the file's date and permissions, as `zip` would.
            info = zipfile.ZipInfo.from_file(path, name)
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


class PluginArchive:
    """The zip of one plugin folder, rebuilt when its files change."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._fingerprint: Fingerprint | None = None
        self._built: PluginZip | None = None

    def current(self) -> PluginZip:
        if not self.source.is_dir():
            raise NotFound("The plugin is not part of this installation")
        files = plugin_files(self.source)
        fingerprint = tuple(
            (path.relative_to(self.source).as_posix(), stat.st_size, stat.st_mtime_ns)
            for path, stat in ((path, path.stat()) for path in files)
        )
        with self._lock:
            if self._built is None or fingerprint != self._fingerprint:
                data = build_zip(self.source, files)
                self._built = PluginZip(data, hashlib.sha256(data).hexdigest())
                self._fingerprint = fingerprint
            return self._built


_archive = PluginArchive(PLUGIN_DIR)


@bp.get(f"/{ZIP_NAME}")
def plugin_zip() -> Response:
    built = _archive.current()
    response = send_file(
        io.BytesIO(built.data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=ZIP_NAME,
        etag=built.etag,
        conditional=True,
        max_age=0,
    )
    # Revalidate every time: a new release must reach the next download.
    response.cache_control.no_cache = True
    return response
