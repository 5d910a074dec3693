from django import forms

from people.choices import COMMITTEE_POSITIONS, EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus
from people.validation import DEVELOPMENT_NUMBER_HELP


def _choices(values) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(v, v) for v in values]


class CadreForm(forms.Form):
    """录入本级团干部 (P3): the input's shape; people.cadres.cadre_add checks the rules."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号码", max_length=30, help_text="18位，最后一位可以是X。已在系统中登记的人员按身份证号码关联。"
    )
    position = forms.ChoiceField(label="本级团内职务", choices=_choices(COMMITTEE_POSITIONS))
    political_status = forms.ChoiceField(label="政治面貌", choices=_choices(PoliticalStatus.values), required=False)
    league_join_date = forms.CharField(
        label="入团年月", max_length=20, required=False, help_text="例如 2017-09。新录入人员必填。"
    )
    development_number = forms.CharField(
        label="发展团员编号", max_length=30, required=False, help_text=DEVELOPMENT_NUMBER_HELP
    )
    ethnicity = forms.ChoiceField(label="民族", choices=_choices(ETHNICITIES), required=False)
    education = forms.ChoiceField(label="学历", choices=_choices(EDUCATIONS), required=False)
    occupation = forms.ChoiceField(label="职业", choices=_choices(OCCUPATIONS), required=False)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)

    def person_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "position"}
