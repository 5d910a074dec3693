from django.shortcuts import redirect
from django.urls import reverse

# Paths a person who must change their password may still reach.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/api/")


class ForcePasswordChangeMiddleware:
    """SPEC P7: someone on an initial or reset password sets a new one before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
