"""Forms of 个人中心 and of the branch admin's 修改团员信息 page: input shape only; people.profile checks the rules."""

from django import forms

from people import queries
from people.choices import EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus
from people.validation import DEVELOPMENT_NUMBER_HELP


def _choices(values) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(v, v) for v in values]


def _month(value) -> str:
    return value.strftime("%Y-%m") if value else ""


class ProfileForm(forms.Form):
    """The fields a person completes themself (P10, P11)."""

    ethnicity = forms.ChoiceField(label="民族", choices=_choices(ETHNICITIES), required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=_choices(PoliticalStatus.values), required=False)
    education = forms.ChoiceField(label="学历", choices=_choices(EDUCATIONS), required=False)
    occupation = forms.ChoiceField(label="职业", choices=_choices(OCCUPATIONS), required=False)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False, help_text="11位，例如 13812345678。")
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    party_applied = forms.BooleanField(label="已递交入党申请书", required=False)
    party_applied_on = forms.CharField(
        label="递交入党申请书年月", max_length=20, required=False, help_text="已递交的请填写，例如 2020-09。"
    )

    @classmethod
    def for_person(cls, person, data=None):
        initial = {f: getattr(person, f) for f in ("ethnicity", "political_status", "education", "occupation")}
        initial.update(
            mobile=person.mobile,
            email=person.email,
            party_applied=person.party_applied_on is not None,
            party_applied_on=_month(person.party_applied_on),
        )
        if "league_join_date" in cls.base_fields:
            initial.update(
                league_join_date=_month(person.league_join_date),
                development_number=person.development_number or "",
            )
        return cls(data=data, initial=initial)


class MemberRecordForm(ProfileForm):
    """The branch admin's form: the member's own fields plus the ones P11 reserves for the branch admin."""

    league_join_date = forms.CharField(label="入团年月", max_length=20, required=False, help_text="例如 2017-09。")
    development_number = forms.CharField(
        label="发展团员编号",
        max_length=30,
        required=False,
        help_text=DEVELOPMENT_NUMBER_HELP,
    )

    field_order = ["league_join_date", "development_number"]

    @classmethod
    def for_person(cls, person, data=None):
        """The member's mobile is not put into the page (issue 12, item 10): the field starts empty, shows the
        masked number, and an empty field keeps the number on record (it cannot be cleared anyway)."""
        form = super().for_person(person, data=data)
        form.initial["mobile"] = ""
        if person.mobile:
            masked = queries.masked_numbers(person).mobile
            form.fields["mobile"].widget.attrs["placeholder"] = masked
            form.fields["mobile"].help_text = f"当前为 {masked}，不修改请留空；如需更换，请填写新的11位手机号码。"
        return form

    def clean(self):
        data = super().clean()
        if not (data.get("mobile") or "").strip():
            data.pop("mobile", None)
        return data
