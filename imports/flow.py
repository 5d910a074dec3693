"""The upload → preview → confirm → result-workbook flow that every Excel import page shares.

A page supplies `run(data, dry_run) -> ImportReport` (its domain's import
service) and a `purpose` naming the import and its target; these helpers
keep the checked file between preview and confirm (imports.uploads) and
return the context its template shows.
"""

from collections.abc import Callable

from core.exceptions import DomainError
from core.upload_limit import charge_upload

from . import readers, uploads, workbooks
from .report import ImportReport

Run = Callable[[bytes, bool], ImportReport]


def _stash_result(request, purpose: str, report: ImportReport) -> str:
    return uploads.stash(request, purpose=f"{purpose}:result", content=workbooks.result_workbook(report))


def receive(request, file) -> bytes:
    """An uploaded file's bytes, counted against the admin's hourly upload quota (core.upload_limit)."""
    charge_upload(request, request.user)
    return readers.read_upload(file)


def preview(request, *, purpose: str, form, run: Run) -> dict:
    """Check the uploaded file row by row, write nothing, and keep it for the confirmation."""
    if not form.is_valid():
        return {"import_error": form.errors["file"][0]}
    try:
        data = receive(request, form.cleaned_data["file"])
        report = run(data, True)
    except DomainError as e:
        return {"import_error": e.message}
    token = uploads.stash(request, purpose=f"{purpose}:upload", content=data)
    return {"report": report, "token": token, "result_token": _stash_result(request, purpose, report)}


def confirm(request, *, purpose: str, run: Run) -> dict:
    """Import the file checked in the preview."""
    token = request.POST.get("token", "")
    try:
        data = uploads.load(request, token, purpose=f"{purpose}:upload")
        report = run(data, False)
    except DomainError as e:
        return {"import_error": e.message}
    uploads.discard(request, token)
    return {"report": report, "result_token": _stash_result(request, purpose, report)}


def result(request, *, purpose: str, token: str) -> bytes:
    """The result workbook of a preview or an import (DomainError when the token is not this user's)."""
    return uploads.load(request, token, purpose=f"{purpose}:result")
