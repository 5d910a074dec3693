from django import template

from audit.display import describe

register = template.Library()


@register.filter
def audit_lines(event) -> list[str]:
    """The event's changes in Chinese, one entry a line (audit.display)."""
    return describe(event)
