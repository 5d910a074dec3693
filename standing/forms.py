"""The input shape of the 团籍状态 pages; the rules are the services' (standing.services)."""

from django import forms

from .models import LEFT_STATUSES, LapseReason


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label="变更为", choices=[("", "请选择"), *((s, s) for s in LEFT_STATUSES)])
    reason = forms.CharField(label="原因", max_length=200, required=False,
                             help_text=f"自行脱团须填写以下之一：{'；'.join(LapseReason.values)}。")  # fmt: skip
    explanation = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RestoreForm(forms.Form):
    branch = forms.TypedChoiceField(label="恢复到团支部", coerce=int, choices=())
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "请选择"), *((b.pk, b.full_name) for b in branches)]
