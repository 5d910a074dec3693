from django import template

register = template.Library()


@register.filter
def in_list(value, items) -> bool:
    return value in (items or ())


@register.filter
def pick_fields(form, names: str) -> list[tuple]:
    """The bound fields named in `names` (space-separated), in that order, each with whether the page marks it required.

    A trailing * marks a required field. The page says so, not the form: the services decide what is
    required (a cadre's 政治面貌 is optional on the form, needed for a person new to the system), and the
    pages ask in their own order, not the form's.
    """
    return [(form[name.rstrip("*")], name.endswith("*")) for name in names.split()]
