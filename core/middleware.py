"""Pages answer a DomainError that no view caught, in one place.

A page fetches what it shows with the app's fetch (orgs.access.fetch_org, people.access.fetch_person,
...), which raises NotFound for missing and forbidden alike; no view writes its own `except` for it.
NotFound becomes the 404 page, NotAllowed the 403 page, any other DomainError (Invalid, Conflict) a page
with its message and status, all in the site's look (core.error_pages). The API has its own handler
(api.api) and never reaches this one.
"""

from .error_pages import error_page
from .exceptions import DomainError, NotAllowed, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound | NotAllowed):
            return error_page(request, exception.status, exception.message)
        return error_page(request, exception.status, exception.message, title="无法完成操作", hint="")
