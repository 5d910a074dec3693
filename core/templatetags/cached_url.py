"""{% url %} with its answers kept for the life of the process (a template builtin: config/settings.py).

A page reverses 30 to 130 URLs (the menu, a link or form per row), each about 40 µs in Django's resolver
(the namespaces, the script prefix and URL conf from context-locals, the candidate patterns tried in
turn): a tenth of the CPU time of the pages of the load benchmark (BENCHMARKS.md). A path depends only on
the URL configuration, fixed when the process starts, and on what is in the key: the view name, the
arguments, the current app, the script prefix and the request's URL conf. Only plain ints and strings are
keyed; anything else (a model instance, a lazy string) is reversed as Django's tag does. No answer depends
on who asks, so one admin's links are never another's: they are the same links.
"""

from functools import lru_cache

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

_PLAIN = (int, str, SafeString)  # exact types: a bool or an enum member would print otherwise than its value


@lru_cache(maxsize=16384)
def _reverse(view_name: str, args: tuple, kwargs: tuple, current_app, prefix: str, urlconf) -> str:
    # `prefix` is only part of the key: reverse() reads the same script prefix itself.
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def cached_reverse(view_name, args=(), kwargs=None, current_app=None, *, where=None) -> str:
    """django.urls.reverse, answered from the process's memory when the view name and arguments are plain.

    `where`: the (script prefix, URL conf) in force, if the caller has read them already."""
    kwargs = kwargs or {}
    if type(view_name) in _PLAIN and _plain(args) and _plain(kwargs.values()) and all(type(k) is str for k in kwargs):
        prefix, urlconf = where or (get_script_prefix(), get_urlconf())
        return _reverse(
            str(view_name),
            tuple(a if type(a) is int else str(a) for a in args),
            tuple(sorted((k, v if type(v) is int else str(v)) for k, v in kwargs.items())),
            current_app,
            prefix,
            urlconf,
        )
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


def _plain(values) -> bool:
    for v in values:
        if type(v) not in _PLAIN:
            return False
    return True


def _where(context) -> tuple | None:
    """The script prefix and URL conf of the request being answered, read once a request: each is a
    context-local (asgiref.local), a few µs a read, twice the time of the rest of a cached answer. Both are
    set before the view runs (the WSGI handler, then the URL resolution) and stay for the request."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    where = request.__dict__.get("_url_prefix_and_conf")
    if where is None:
        where = request._url_prefix_and_conf = (get_script_prefix(), get_urlconf())
    return where


class CachedURLNode(URLNode):
    def render(self, context):
        # Django's URLNode.render with cached_reverse in place of reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app, where=_where(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
