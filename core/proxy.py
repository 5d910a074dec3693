"""The client's address behind the reverse proxy (issue 15: nginx in front of several app servers).

Behind nginx every request comes from 127.0.0.1, so login throttling and the rate limits per address
(core.ratelimits, django-axes) would count all users as one. With PROXY_CLIENT_ADDRESS_HEADER set (say
X-Real-IP, which deploy/nginx.conf sets to the connecting address, overwriting whatever the client
sent), that header becomes REMOTE_ADDR before anything reads it. Unset (the default), the header is
ignored: a client could otherwise choose its own address.
"""

from django.conf import settings


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        header = settings.PROXY_CLIENT_ADDRESS_HEADER
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request):
        if self.meta_key:
            address = request.META.get(self.meta_key, "").strip()
            if address:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
