"""Atomic file writes: an interrupted process leaves either the previous file or the complete new one.

Each write goes to a temporary file in the target's folder (same file system), is flushed to disk, and is then
renamed over the target with ``os.replace``, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
from pathlib import Path


def write_bytes(path, blob: bytes) -> Path:
    """Write ``blob`` to ``path`` atomically (creating the folder); returns the path."""
    path = Path(path)
    _make_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # permissions from the umask
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def _make_folder(folder: Path) -> None:
    """``folder`` and its parents; a file in the way is reported as 'Not a directory' naming that file
    (``mkdir(exist_ok=True)`` would say 'File exists')."""
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(part))
            break
    folder.mkdir(parents=True, exist_ok=True)


def write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    return write_bytes(path, text.encode("utf-8"))


def save_figure(figure, path, **savefig_options) -> Path:
    """``figure.savefig`` into memory, then write the image atomically (format from the suffix)."""
    path = Path(path)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".") or "png", **savefig_options)
    return write_bytes(path, buffer.getvalue())
