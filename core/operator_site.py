"""The operator site (/operator/, Django's admin) is served only where a setting allows it (issue 12, item 17).

The URL conf is built once at import, so the switch is a middleware: while `OPERATOR_SITE_ENABLED` is off
(the default), every path under /operator/ answers 404 exactly like a path that does not exist, before
any session is read; its login page is not there to be found or guessed at. With `OPERATOR_HOSTS` set
(comma-separated host names, e.g. an address reachable only on the operators' network), /operator/
answers only requests addressed to one of those hosts, so the public site never serves it.
"""

from django.conf import settings
from django.http import Http404

PREFIX = "/operator/"


def operator_site_allowed(request) -> bool:
    if not getattr(settings, "OPERATOR_SITE_ENABLED", False):
        return False
    hosts = getattr(settings, "OPERATOR_HOSTS", [])
    return not hosts or request.get_host().split(":")[0].lower() in hosts


class OperatorSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.path_info == PREFIX[:-1] or request.path_info.startswith(PREFIX)) and not operator_site_allowed(
            request
        ):
            raise Http404("页面不存在。")
        return self.get_response(request)
