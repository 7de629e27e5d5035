"""The portal's forms, with their messages in Chinese. Validation only: they write nothing."""

from __future__ import annotations

import re

from django import forms

from hotline.tickets import workflow

from .selectors import region_choices

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
NUMBER_RE = re.compile(r"^\d{13}$")
CODE_RE = re.compile(r"^\d{6}$")

REQUIRED = {"required": "请填写此项"}

# Kinds a citizen files; the centre's staff re-classify when needed.
KIND_CHOICES = [
    (k, workflow.KINDS[k])
    for k in ("complaint", "help", "consultation", "suggestion", "report", "praise")
]


def _phone(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE_RE.match(value):
        raise forms.ValidationError("请输入 11 位手机号码")
    return value


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=20, error_messages=REQUIRED)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(
        label="诉求类型",
        choices=KIND_CHOICES,
        error_messages={**REQUIRED, "invalid_choice": "请选择诉求类型"},
    )
    title = forms.CharField(
        label="标题",
        max_length=60,
        required=False,
        error_messages={"max_length": "标题不能超过 %(limit_value)d 个字"},
    )
    content = forms.CharField(
        label="诉求内容",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            **REQUIRED,
            "min_length": "请至少写 %(limit_value)d 个字，说明发生了什么",
            "max_length": "诉求内容不能超过 %(limit_value)d 个字",
        },
    )
    region = forms.ChoiceField(
        label="所在区域",
        required=False,
        error_messages={"invalid_choice": "请从列表中选择区域"},
    )
    address = forms.CharField(
        label="详细地址",
        max_length=200,
        required=False,
        error_messages={"max_length": "地址不能超过 %(limit_value)d 个字"},
    )
    name = forms.CharField(
        label="称呼（选填）",
        max_length=32,
        required=False,
        error_messages={"max_length": "称呼不能超过 %(limit_value)d 个字"},
    )
    confidential = forms.BooleanField(label="为我保密（不向被投诉方透露我的信息）", required=False)
    code = forms.CharField(label="短信验证码", max_length=6, error_messages=REQUIRED)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", "请选择区、街道")] + [
            (group, options) for group, options in region_choices()
        ]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError("验证码为 6 位数字")
        return code

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise forms.ValidationError("表单已失效，请刷新页面后重新填写")
        return key

    def clean(self):
        data = super().clean() or {}
        if not data.get("region") and not (data.get("address") or "").strip():
            self.add_error("address", "请选择所在区域或填写详细地址")
        return data


class LookupForm(forms.Form):
    number = forms.CharField(label="工单编号", max_length=20, error_messages=REQUIRED)

    def clean_number(self) -> str:
        number = re.sub(r"\s", "", self.cleaned_data["number"])
        if not NUMBER_RE.match(number):
            raise forms.ValidationError("工单编号为 13 位数字")
        return number


class VerifyForm(LookupForm):
    code = forms.CharField(label="短信验证码", max_length=6, error_messages=REQUIRED)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError("验证码为 6 位数字")
        return code


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="您对办理结果是否满意",
        choices=list(workflow.SATISFACTIONS.items()),
        widget=forms.RadioSelect,
        error_messages={**REQUIRED, "invalid_choice": "请选择满意程度"},
    )
    note = forms.CharField(
        label="意见和建议（选填）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "不能超过 %(limit_value)d 个字"},
    )
