"""What the pages do around a service call (STYLE, "Views"), written once.

A service refuses with a DomainError in Chinese. A page that goes on says it: `refusal_as_message` for an
action that redirects (the messages bar), `refusal_on_form` for a form (core.forms.add_domain_errors).
What no page catches reaches core.middleware, the error page. Who may act stays in the services and the
apps' fetch functions: nothing here decides access.
"""

from collections.abc import Callable
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .exceptions import DomainError
from .forms import add_domain_errors


@contextmanager
def refusal_as_message(request):
    """A refusal raised in the block becomes the page's error message and ends the block, so that what follows
    the service call there (the success message, a redirect only on success) happens only on success."""
    try:
        yield
    except DomainError as e:
        messages.error(request, e.message)


@contextmanager
def refusal_on_form(form):
    """A refusal raised in the block goes onto the form (the summary on top, each field's message beside it) and
    ends the block; the view then shows the form again."""
    try:
        yield
    except DomainError as e:
        add_domain_errors(form, e)


def form_saved(request, form, save: Callable[..., object], done: str) -> bool:
    """Whether the submitted form was valid and `save` (the service, given the cleaned data as `data=`) took it;
    then `done` is the success message. A refusal goes onto the form. An unbound form (a GET) is never saved."""
    if not form.is_valid():
        return False
    with refusal_on_form(form):
        save(data=form.cleaned_data)
        messages.success(request, done)
        return True
    return False


def post_action(handler: Callable, *fields: str):
    """The view of one action of a page, at its own URL (STYLE: one POST URL per action): POST only, signed in.
    It calls `handler(request, <the URL's arguments>, **given)`, `given` being the named fields of the form
    ("" when missing), for actions that differ only in the service they call and what of the form it takes."""

    @login_required
    @require_POST
    def view(request, *args, **kwargs):
        given = {f: request.POST.get(f, "") for f in fields}
        return handler(request, *args, **kwargs, **given)

    return view


def job_view(template: str, *, fetch: Callable, context: Callable):
    """A page of a background job (imports, exports): the job page, or the fragment htmx polls on it every
    second until the job has finished. `fetch(user, pk)` gives the job to its creator only (NotFound for anyone
    else), `context(job)` what the template shows."""

    @login_required
    @require_GET
    def view(request, pk: int):
        return render(request, template, context(fetch(request.user, pk)))

    return view
