"""{% url %} answered from memory (core/templatetags/cached_url.py) gives what Django's tag gives."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.translation import gettext_lazy

from core.templatetags.cached_url import CachedURLNode, _reverse, cached_reverse


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_the_url_tag_is_the_cached_one_in_every_template():
    assert isinstance(Template("{% url 'orgs:home' %}").nodelist[0], CachedURLNode)


def test_it_gives_djangos_paths_for_positional_keyword_and_literal_arguments():
    assert render("{% url 'people:members' pk %}", pk=7) == reverse("people:members", args=[7])
    assert render("{% url 'progress:table' pk=7 kind='orgs' %}") == reverse("progress:table", args=[7, "orgs"])
    assert render("{% url 'people:member_verify' 5 'approve' %}") == reverse(
        "people:member_verify", args=[5, "approve"]
    )
    assert render("{% url name pk %}", name="people:members", pk=8) == reverse("people:members", args=[8])


def test_a_second_page_is_answered_from_memory():
    _reverse.cache_clear()
    render("{% url 'people:members' 9 %}")
    render("{% url 'people:members' 9 %}")
    assert _reverse.cache_info().hits >= 1


def test_arguments_that_are_not_plain_are_reversed_each_time():
    _reverse.cache_clear()
    args = [5, gettext_lazy("approve")]  # a lazy string
    assert cached_reverse("people:member_verify", args=args) == reverse("people:member_verify", args=args)
    assert _reverse.cache_info().currsize == 0


def test_as_variable_escaping_and_an_unknown_name_behave_as_in_django():
    assert render("{% url 'people:members' 3 as link %}[{{ link }}]") == f"[{reverse('people:members', args=[3])}]"
    assert render("{% url 'nowhere' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'nowhere' %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_the_script_prefix_is_part_of_the_key():
    plain = cached_reverse("orgs:home")
    set_script_prefix("/tuan/")
    try:
        assert cached_reverse("orgs:home") == "/tuan" + plain
    finally:
        set_script_prefix("/")
    assert cached_reverse("orgs:home") == plain
