"""Files kept between an import's preview and its confirmation, and result workbooks to download.

A file is stored under a random token in a private temporary directory;
the token is remembered in the user's session together with what it is
for, so a token is useless to anyone else and a path is never guessable.
Files older than a day are removed whenever a new one is stored.
"""

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

from core.exceptions import NotFound

SESSION_KEY = "import_files"
MAX_AGE_SECONDS = 24 * 3600
MAX_PER_SESSION = 20
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _directory() -> Path:
    path = Path(getattr(settings, "IMPORT_TEMP_DIR", "") or Path(tempfile.gettempdir()) / "zhtj-imports")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _purge_old(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for entry in os.scandir(directory):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


def stash(request, *, purpose: str, content: bytes) -> str:
    """Store `content` for this session; returns the token that finds it again."""
    directory = _directory()
    _purge_old(directory)
    token = secrets.token_urlsafe(32)
    path = directory / f"{token}.xlsx"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    files = dict(request.session.get(SESSION_KEY, {}))
    files[token] = purpose
    for old in list(files)[:-MAX_PER_SESSION]:
        discard(request, old, files=files)
    request.session[SESSION_KEY] = files
    return token


def load(request, token: str, *, purpose: str) -> bytes:
    """The content stored under `token` by this session for `purpose`."""
    gone = NotFound("上传的文件已过期或不存在，请重新上传。", code="upload_expired")
    if not _TOKEN.match(token or "") or request.session.get(SESSION_KEY, {}).get(token) != purpose:
        raise gone
    try:
        return (_directory() / f"{token}.xlsx").read_bytes()
    except FileNotFoundError:
        raise gone from None


def discard(request, token: str, *, files: dict | None = None) -> None:
    own = files is None
    files = dict(request.session.get(SESSION_KEY, {})) if own else files
    if files.pop(token, None) is not None and _TOKEN.match(token):
        try:
            os.unlink(_directory() / f"{token}.xlsx")
        except FileNotFoundError:
            pass
    if own:
        request.session[SESSION_KEY] = files
