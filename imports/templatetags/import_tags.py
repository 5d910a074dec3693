from django import template

register = template.Library()


@register.filter
def row_numbers(rows: list[int]) -> str:
    """Excel row numbers as people read them: [2, 3, 4, 9] → 第2–4、9行."""
    runs: list[list[int]] = []
    for n in sorted(rows):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return "第" + "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs) + "行"


@register.filter
def get_value(values: dict, key: str):
    return values.get(key, "")
