"""Files kept between an import's preview and its confirmation, and result workbooks to download.

A file is stored in the database (StoredUpload: every app server and worker reads
it, so a preview made on one server is confirmed on another) under a random token;
the token is remembered in the user's session together with what it is for, so a
token is useless to anyone else. Files older than a day are removed whenever a new
one is stored.
"""

import datetime as dt
import re
import secrets

from django.utils import timezone

from core.exceptions import NotFound

from .models import StoredUpload

SESSION_KEY = "import_files"
MAX_AGE_SECONDS = 24 * 3600
MAX_PER_SESSION = 20
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def put(content: bytes) -> str:
    """Store `content`; the token that finds it again. Files older than a day go first."""
    StoredUpload.objects.filter(created_at__lt=timezone.now() - dt.timedelta(seconds=MAX_AGE_SECONDS)).delete()
    token = secrets.token_urlsafe(32)
    StoredUpload.objects.create(token=token, data=content)
    return token


def get(token: str) -> bytes | None:
    if not _TOKEN.match(token or ""):
        return None
    data = StoredUpload.objects.filter(token=token).values_list("data", flat=True).first()
    return None if data is None else bytes(data)


def delete(token: str) -> None:
    StoredUpload.objects.filter(token=token).delete()


def stash(request, *, purpose: str, content: bytes) -> str:
    """Store `content` for this session; returns the token that finds it again."""
    token = put(content)
    files = dict(request.session.get(SESSION_KEY, {}))
    files[token] = purpose
    for old in list(files)[:-MAX_PER_SESSION]:
        discard(request, old, files=files)
    request.session[SESSION_KEY] = files
    return token


def load(request, token: str, *, purpose: str) -> bytes:
    """The content stored under `token` by this session for `purpose`."""
    gone = NotFound("上传的文件已过期或不存在，请重新上传。", code="upload_expired")
    content = get(token) if request.session.get(SESSION_KEY, {}).get(token) == purpose else None
    if content is None:
        raise gone
    return content


def discard(request, token: str, *, files: dict | None = None) -> None:
    own = files is None
    files = dict(request.session.get(SESSION_KEY, {})) if own else files
    if files.pop(token, None) is not None:
        delete(token)
    if own:
        request.session[SESSION_KEY] = files
