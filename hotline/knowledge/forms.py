"""Forms of the knowledge-base pages: they shape input for the services, which validate."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.orgs.selectors import categories_list

from . import rules


def category_choices(blank: Any) -> list[tuple[str, Any]]:
    nodes = list(categories_list())
    by_pk = {c.pk: c for c in nodes}

    def depth(node) -> int:
        level = 0
        while node.parent_id and node.parent_id in by_pk and level < 5:
            node, level = by_pk[node.parent_id], level + 1
        return level

    return [("", blank)] + [(c.code, "\u3000" * depth(c) + c.name) for c in nodes]


class ArticleForm(forms.Form):
    category = forms.ChoiceField(
        label=_("分类"),
        error_messages={"required": _("请选择分类。"), "invalid_choice": _("没有这个分类。")},
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        error_messages={"required": _("请填写标题。"), "max_length": _("标题最多 200 个字。")},
    )
    body = forms.CharField(
        label=_("正文"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("纯文本，按原样显示。"),
        error_messages={"required": _("请填写正文。"), "max_length": _("正文最多 20000 个字。")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices("—")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("分类"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *[(k, _(v)) for k, v in rules.STATUSES.items()]],
        error_messages={"invalid_choice": _("没有这个状态。")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices(_("全部分类"))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
