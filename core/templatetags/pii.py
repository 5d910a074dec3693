from django import template

from core import pii

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return pii.mask_id_number(value or "")


@register.filter
def mask_mobile(value: str) -> str:
    return pii.mask_mobile(value or "")
