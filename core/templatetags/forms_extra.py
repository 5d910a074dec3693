from django import template

register = template.Library()


@register.filter
def in_list(value, items) -> bool:
    return value in (items or ())
