from django import forms


class UploadForm(forms.Form):
    """The filled-in template of any import (imports.importer); excel.readers checks what it holds."""

    file = forms.FileField(
        label="选择填好的模板（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": "请选择要上传的文件。"},
    )
