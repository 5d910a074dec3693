from django import forms

from core.exceptions import DomainError

# Which form field a refusal of `services.org_create_child` belongs to, by its code.
ERROR_FIELDS = {
    "name_required": "short_name",
    "name_too_long": "short_name",
    "name_suffix": "short_name",
    "duplicate_name": "short_name",
    "bad_category": "category",
    "placement": "category",
}


class ChildCreateForm(forms.Form):
    """单个创建 (T6): 简称 and 类别; 全称 as proposed by the system, correctable."""

    short_name = forms.CharField(
        label="组织简称",
        max_length=50,
        help_text="单位或地名＋团委/团工委/团总支/团支部，例如“建国门街道团委”“五年制临床医学2017级3班团支部”。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(label="组织类别")
    full_name = forms.CharField(label="组织全称", max_length=200, required=False)

    def __init__(self, *args, categories: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择")] + [(c, c) for c in categories]

    def add_service_error(self, error: DomainError) -> None:
        self.add_error(ERROR_FIELDS.get(error.code), error.message)
