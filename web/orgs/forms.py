from django import forms

from orgs.industries import INDUSTRIES
from orgs.rules import BranchKind, Category

TEXT = {"class": "text"}


class OrgInfoForm(forms.Form):
    """Every field is text: the service parses it, so "" (not filled) and "0" stay different (O3)."""

    short_name = forms.CharField(label="组织简称", required=False, max_length=50)
    full_name = forms.CharField(label="组织全称", required=False, max_length=200)
    category = forms.ChoiceField(label="组织类别", required=False, choices=Category.choices)
    industry = forms.ChoiceField(
        label="单位所属行业类别", required=False, choices=[("", "请选择")] + [(c, f"{c} {n}") for c, n in INDUSTRIES]
    )
    phone = forms.CharField(label="团组织联系电话", required=False, max_length=30)
    email = forms.CharField(label="团组织电子邮箱", required=False, max_length=100)
    admin_quota = forms.CharField(label="本级团组织行政编制数", required=False, max_length=6)
    admin_staffed = forms.CharField(label="行政编制实际配备数", required=False, max_length=6)
    inst_quota = forms.CharField(label="本级团组织事业编制数", required=False, max_length=6)
    inst_staffed = forms.CharField(label="事业编制实际配备数", required=False, max_length=6)
    founded_on = forms.CharField(label="成立时间", required=False, max_length=10,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    branch_kind = forms.ChoiceField(label="团支部类型", required=False,
                                    choices=[("", "普通团支部"), *BranchKind.choices],
                                    help_text="临时团支部和流动团员团支部不参加对标定级；由直属上级组织管理员设定。")  # fmt: skip
    secretary_name = forms.CharField(label="团组织书记姓名", required=False, max_length=50)
    secretary_id_number = forms.CharField(label="书记身份证号码", required=False, max_length=30)
    secretary_mobile = forms.CharField(label="书记手机号码", required=False, max_length=20)

    def __init__(self, *args, editable: set[str], required: set[str], secretary=None, **kwargs):
        """`secretary`: the current secretary as orgs.queries shows them (masked); their ID number and mobile
        are never put into the form: the fields start empty, and empty keeps the secretary on record."""
        super().__init__(*args, **kwargs)
        if self.initial.get("category") != Category.BRANCH:
            del self.fields["branch_kind"]  # only a 团支部 has a kind
        self.secretary = secretary
        for name, field in self.fields.items():
            if name not in editable:
                field.disabled = True
        if secretary is not None:
            for name, value in (("secretary_id_number", secretary.id_number), ("secretary_mobile", secretary.mobile)):
                self.fields[name].widget.attrs["placeholder"] = value
            self.fields[
                "secretary_id_number"
            ].help_text = f"当前为 {secretary.id_number}，不更换书记请留空；更换书记请填写新书记的姓名和身份证号码。"
            self.fields["secretary_mobile"].help_text = "已登记的书记的手机号码由本人在个人中心维护；新书记请填写。"
        self.required_names = [name for name in self.fields if self._is_required(name, required)]

    def clean(self):
        data = super().clean()
        s = self.secretary
        if s is not None and not (data.get("secretary_id_number") or "").strip():
            if (data.get("secretary_name") or "").strip() in ("", s.name):
                for name in ("secretary_name", "secretary_id_number", "secretary_mobile"):
                    data.pop(name, None)  # the secretary on record stays
            elif not self.fields["secretary_id_number"].disabled:
                self.add_error("secretary_id_number", "更换书记请填写新书记的身份证号码。")
        return data

    @staticmethod
    def _is_required(name: str, required: set[str]) -> bool:
        if name.startswith("secretary_"):
            return "secretary" in required
        return name in required


class AdminAddForm(forms.Form):
    person_id = forms.IntegerField(label="团干部")


class MigrationApplyForm(forms.Form):
    """申请组织迁移: the new superior (picked by name search) and the reason."""

    to_parent_id = forms.IntegerField(label="新上级组织", error_messages={"required": "请搜索并选择新上级组织。"})
    reason = forms.CharField(label="迁移原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
