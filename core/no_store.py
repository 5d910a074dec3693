"""Personal data is never kept by a browser or proxy cache (issue 12, item 13).

Every response to a logged-in person (pages, workbook downloads, htmx fragments) and every API
response gets `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private` (Django's
add_never_cache_headers), so the back button, a shared computer or a caching proxy does not keep
a member list, /me or members.xlsx. Static files are served before this middleware (WhiteNoise)
and stay cacheable.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response
