"""The input shape of the 对标定级 pages; the rules are the services' (rating.services)."""

from django import forms

from .models import Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input reads
LEVELS = [("", "请选择"), *Level.choices]


class RoundForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    starts_on = forms.DateField(label="自评开始日期", widget=DATE)
    ends_on = forms.DateField(label="自评截止日期", widget=DATE)
    top_share = forms.IntegerField(label="四星及以上占比上限（%）", min_value=0, max_value=100, initial=30,
                                   help_text="每个复核组织的直属参评组织中，四星和五星合计不超过此比例。")  # fmt: skip
    five_star_share = forms.IntegerField(label="五星占比上限（%）", min_value=0, max_value=100, required=False,
                                         help_text="可不填；填写后五星单独不超过此比例。")  # fmt: skip


class SelfRatingForm(forms.Form):
    level = forms.ChoiceField(label="自评等级", choices=LEVELS)
    reason = forms.CharField(label="自评理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    founded_on = forms.DateField(label="成立时间（请确认）", widget=DATE)
    last_election_on = forms.DateField(label="最近一次换届时间", widget=DATE, required=False)
    party_applicants = forms.IntegerField(label="递交入党申请书的团员人数", min_value=0)
    key_project = forms.CharField(label="重点工作项目（自评五星时必填，300–800字）", required=False,
                                  widget=forms.Textarea(attrs={"rows": 8, "maxlength": 800}))  # fmt: skip


class ReviewForm(forms.Form):
    level = forms.ChoiceField(label="复核等级", choices=LEVELS)
    reason = forms.CharField(label="复核意见（与自评不同时必填）", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
