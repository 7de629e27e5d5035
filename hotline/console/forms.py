"""Forms of the staff console. They only shape what the user typed into the ``data`` mapping
the services take (``ticket_register``, ``ticket_transition``); the services validate it and
write. Nothing here touches a model."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Category, Unit
from hotline.orgs.selectors import categories_list, regions_list, units_list
from hotline.tickets import policy, workflow

from .attachments import attachments_field
from .widgets import QuickSelect, QuickSelectMultiple


def _labelled(choices: Iterable[tuple[str, str]]) -> list[tuple[str, object]]:
    """Workflow labels are Chinese, which is also the console's source language; the English
    catalogue of this app translates them."""
    return [(value, _(label)) for value, label in choices]


def unit_choices(units: Iterable[Unit]) -> list[tuple[str, str]]:
    """Units in tree order (siblings in the order they were created), indented by depth."""
    units = sorted(units, key=lambda u: [int(pk) for pk in u.path.strip("/").split("/") if pk])
    top = min((u.depth for u in units), default=0)
    return [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


def handling_units():
    """Units a ticket can be dispatched to: not the centre, not the supervision/discipline offices."""
    return units_list().exclude(kind__in=("centre", "office"))


def units_below(unit: Unit | None):
    if unit is None:
        return units_list().none()
    return units_list().filter(path__startswith=unit.path).exclude(pk=unit.pk)


def category_choices() -> list[tuple[str, object]]:
    """Leaf categories grouped under their first-level class: ``二级 / 三级``."""
    nodes: dict[int, Category] = {c.pk: c for c in categories_list()}
    parents = {c.parent_id for c in nodes.values() if c.parent_id}
    groups: dict[str, list[tuple[str, str]]] = {}
    for node in nodes.values():
        if node.pk in parents:
            continue
        names = [node.name]
        top = node
        while top.parent_id and top.parent_id in nodes:
            top = nodes[top.parent_id]
            names.append(top.name)
        names.reverse()
        group = names[0]
        label = " / ".join(names[1:]) or names[0]
        groups.setdefault(group, []).append((node.code, label))
    return [("", "—")] + [(group, options) for group, options in groups.items()]


# A <select> with this attribute gets a search box (static/console/picker.js); its value is
# the box's placeholder.
FILTER_UNITS = {"data-filter": _("输入单位名称筛选")}
FILTER_CATEGORIES = {"data-filter": _("输入分类名称筛选")}


# --- registration ------------------------------------------------------------------------------


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=_labelled(workflow.CHANNEL_CHOICES), initial="phone"
    )
    kind = forms.ChoiceField(
        label=_("诉求类型"), choices=_labelled(workflow.KIND_CHOICES), initial="complaint"
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=_labelled(workflow.URGENCY_CHOICES), initial="normal"
    )
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    content = forms.CharField(
        label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    category = forms.ChoiceField(
        label=_("分类"), required=False, widget=QuickSelect(attrs=FILTER_CATEGORIES)
    )
    citizen_name = forms.CharField(label=_("诉求人姓名"), max_length=64, required=False)
    citizen_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    citizen_anonymous = forms.BooleanField(label=_("匿名"), required=False)
    citizen_confidential = forms.BooleanField(label=_("保密"), required=False)
    # Retrying the same submission (double click, reload after a timeout) returns the same ticket.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def service_data(self) -> dict:
        d = self.cleaned_data
        data = {
            key: d[key]
            for key in ("channel", "kind", "urgency", "title", "content", "address")
            if d.get(key)
        }
        if d.get("category"):
            data["category"] = d["category"]
        data["citizen"] = {
            "name": d.get("citizen_name") or "",
            "phone": d.get("citizen_phone") or "",
            "anonymous": bool(d.get("citizen_anonymous")),
            "confidential": bool(d.get("citizen_confidential")),
        }
        return data


# --- lifecycle actions -------------------------------------------------------------------------

YES_NO = [("true", _("是")), ("false", _("否"))]


def _text(label, *, required: bool, rows: int = 3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _bool_choice(label, *, required: bool, choices):
    return forms.TypedChoiceField(
        label=label,
        required=required,
        choices=choices,
        coerce=lambda v: v == "true",
        empty_value=None,
    )


class ActionForm(forms.Form):
    """Base of the per-action forms. ``service_data`` drops the fields left empty, so the service
    sees exactly what the user filled in."""

    action = ""

    def __init__(self, *args, ticket=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def service_data(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value not in (None, "", []) and key != "attachments"
        }

    def uploads(self) -> list:
        """The files of the form, each checked by content (``attachments`` field), or none."""
        return list(self.cleaned_data.get("attachments") or [])


class AnswerDirectlyForm(ActionForm):
    action = "answer_directly"
    text = _text(_("答复内容"), required=True)
    # The knowledge-base article the answer came from (its number; the panel's "引用此文章"
    # fills it in). Checked by the knowledge base: a published article or a 400.
    article = forms.IntegerField(
        label=_("引用知识库文章（编号）"), required=False, min_value=1, max_value=2**31 - 1
    )


COPY_TO_CHOICES = [("supervision", _("督查室")), ("discipline", _("纪检监察"))]


class DispatchForm(ActionForm):
    action = "dispatch"
    unit = forms.ChoiceField(label=_("主办单位"), widget=QuickSelect(attrs=FILTER_UNITS))
    co_units = forms.MultipleChoiceField(
        label=_("协办单位"),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 6, **FILTER_UNITS}),
    )
    copy_to = forms.MultipleChoiceField(
        label=_("转交（只读抄送）"),
        required=False,
        choices=COPY_TO_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    approve = _bool_choice(
        _("上次退单是否成立"),
        required=False,
        choices=[
            ("", _("按派往单位自动判定")),
            ("true", _("退单成立")),
            ("false", _("退单不成立")),
        ],
    )
    note = _text(_("备注"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = handling_units()
        centre = self.ticket.centre if self.ticket is not None else None
        if centre is not None and centre.parent_id is not None:
            # A district centre's ticket goes to a unit of the district's tree.
            units = units_below(centre.covers)
        choices = unit_choices(units)
        self.fields["unit"].choices = [("", "—"), *choices]
        self.fields["co_units"].choices = choices
        if self.ticket is None or not self.ticket.send_back_unit_id:
            del self.fields["approve"]


class ForwardForm(ActionForm):
    action = "forward"
    unit = forms.ChoiceField(label=_("下派单位"), widget=QuickSelect(attrs=FILTER_UNITS))
    note = _text(_("备注"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        holder = self.ticket.unit if self.ticket is not None else None
        self.fields["unit"].choices = [("", "—"), *unit_choices(units_below(holder))]


class AcceptForm(ActionForm):
    action = "accept"


class SendBackForm(ActionForm):
    action = "send_back"
    reason = _text(_("退单理由"), required=True)


class RequestExtensionForm(ActionForm):
    action = "request_extension"
    days = forms.IntegerField(
        label=_("延期工作日"), min_value=1, max_value=policy.MAX_EXTENSION_DAYS
    )
    reason = _text(_("延期理由"), required=True)


class DecideExtensionForm(ActionForm):
    action = "decide_extension"
    approve = _bool_choice(
        _("是否同意延期"), required=True, choices=[("true", _("同意")), ("false", _("不同意"))]
    )
    note = _text(_("备注"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approve"].widget = forms.RadioSelect(choices=self.fields["approve"].choices)


class ReplyForm(ActionForm):
    action = "reply"
    text = _text(_("办理结果"), required=True, rows=5)
    outcome = forms.ChoiceField(
        label=_("办理结论"), choices=[("", "—"), *_labelled(workflow.OUTCOMES.items())]
    )
    attachments = attachments_field()


class FollowUpForm(ActionForm):
    action = "follow_up"
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=[("", "—"), *_labelled(workflow.SATISFACTIONS.items())]
    )
    note = _text(_("回访记录"), required=False, rows=2)


class ReviewForm(ActionForm):
    action = "review"
    verdict = forms.ChoiceField(
        label=_("评价结论"), choices=[("", "—"), *_labelled(workflow.VERDICTS.items())]
    )
    days = forms.IntegerField(
        label=_("重办时限（工作日）"), min_value=1, max_value=60, required=False
    )
    note = _text(_("评价意见"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hotline.feedback.verdicts import JUDGEMENTS

        # The four judgements of the structured verdict, each yes/no with a note.
        for name, label in JUDGEMENTS.items():
            self.fields[name] = _bool_choice(
                _(label), required=True, choices=[("", "—"), ("true", _("是")), ("false", _("否"))]
            )
            self.fields[f"{name}_note"] = _text(_("理由"), required=True, rows=1)

    def service_data(self) -> dict:
        from hotline.feedback.verdicts import JUDGEMENTS

        data = super().service_data()
        data["judgements"] = {
            name: {"value": data.pop(name, None), "note": data.pop(f"{name}_note", "")}
            for name in JUDGEMENTS
        }
        return data


class PassUpForm(ActionForm):
    action = "pass_up"
    reason = _text(_("上报理由（为何不属本区）"), required=True, rows=2)


class MergeForm(ActionForm):
    action = "merge"
    into = forms.CharField(label=_("并入工单编号"), max_length=16)


class InvalidateForm(ActionForm):
    action = "invalidate"
    reason = _text(_("作废原因"), required=True, rows=2)


class SuperviseForm(ActionForm):
    action = "supervise"
    note = _text(_("督办意见"), required=True)
    days = forms.IntegerField(
        label=_("督办时限（工作日）"), min_value=1, max_value=60, required=False
    )


class SignForm(ActionForm):
    """领导签批: the leader's instruction; the ticket becomes supervised (a supervision order)."""

    action = "sign"
    instruction = _text(_("批示内容"), required=True)
    days = forms.IntegerField(
        label=_("办理时限（工作日）"), min_value=1, max_value=60, required=False
    )


class CommentForm(ActionForm):
    action = "comment"
    text = _text(_("备注内容"), required=True, rows=2)
    attachments = attachments_field()


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AnswerDirectlyForm,
        DispatchForm,
        ForwardForm,
        AcceptForm,
        SendBackForm,
        RequestExtensionForm,
        DecideExtensionForm,
        ReplyForm,
        FollowUpForm,
        ReviewForm,
        MergeForm,
        PassUpForm,
        InvalidateForm,
        SuperviseForm,
        SignForm,
        CommentForm,
    )
}
assert set(ACTION_FORMS) == set(workflow.TICKET_ACTIONS)

# Actions that end or fold a ticket: the console asks for confirmation first.
CONFIRM_ACTIONS = frozenset({"invalidate", "merge", "answer_directly"})


class RevealForm(forms.Form):
    """Why the complainant's full name and phone are needed (written to the audit log)."""

    reason = forms.CharField(
        label=_("查看原因"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：需电话联系诉求人核实现场情况")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reveal_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _region_choices() -> list[tuple[str, Any]]:
    """Districts and streets, indented under their parent (communities are too many for a
    select; a ticket's community is under its street)."""
    nodes = regions_list().filter(level__in=("city", "district", "street"))
    return [("", _("全部区域"))] + [
        (r.code, "\u3000" * max(r.depth - 1, 0) + r.name) for r in nodes
    ]


def _category_filter_choices() -> list[tuple[str, Any]]:
    """Every level of the catalogue: a class finds the tickets of the categories under it.
    Read as plain rows (650 model objects cost more than the whole list query)."""
    rows = list(categories_list().values_list("pk", "code", "name", "parent_id"))
    parent_of = {pk: parent for pk, _code, _name, parent in rows}

    def depth(pk: int) -> int:
        level, parent = 0, parent_of[pk]
        while parent and parent in parent_of and level < 5:
            level, parent = level + 1, parent_of[parent]
        return level

    return [("", _("全部分类"))] + [
        (code, "\u3000" * depth(pk) + name) for pk, code, name, _p in rows
    ]


class ListFilterForm(forms.Form):
    """The filters of the ticket list. Choices come from the org tree and the catalogue; the
    selector checks them again (and names a wrong one, shown under its field)."""

    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *_labelled(workflow.STATUS_CHOICES)],
        error_messages={"invalid_choice": _("没有这个状态。")},
    )
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("关键词最多 %(limit_value)d 个字。")},
    )
    unit = forms.ChoiceField(
        label=_("承办单位"),
        required=False,
        error_messages={"invalid_choice": _("没有这个单位。")},
        widget=QuickSelect,
    )
    region = forms.ChoiceField(
        label=_("区域"),
        required=False,
        error_messages={"invalid_choice": _("没有这个区域。")},
        widget=QuickSelect,
    )
    category = forms.ChoiceField(
        label=_("分类"),
        required=False,
        error_messages={"invalid_choice": _("没有这个分类。")},
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(
        label=_("渠道"),
        required=False,
        choices=[("", _("全部渠道")), *_labelled(workflow.CHANNEL_CHOICES)],
        error_messages={"invalid_choice": _("没有这个渠道。")},
    )
    kind = forms.ChoiceField(
        label=_("诉求类型"),
        required=False,
        choices=[("", _("全部类型")), *_labelled(workflow.KIND_CHOICES)],
        error_messages={"invalid_choice": _("没有这个诉求类型。")},
    )
    registered_from = forms.DateField(
        label=_("登记日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入日期，例如 2026-01-31。")},
    )
    registered_to = forms.DateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入日期，例如 2026-01-31。")},
    )
    warning = forms.ChoiceField(
        label=_("预警"),
        required=False,
        choices=[("", _("全部")), ("none", _("正常")), ("yellow", _("黄灯")), ("red", _("红灯"))],
        error_messages={"invalid_choice": _("没有这个预警级别。")},
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("registered", _("登记时间（新的在前）")),
            ("deadline", _("办理时限（先到期的在前）")),
        ],
        error_messages={"invalid_choice": _("没有这种排序。")},
    )

    def __init__(self, *args, units: Iterable[Unit] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, Any]]] = {
            "unit": [("", _("全部单位")), *unit_choices(units or units_list())],
            "region": _region_choices(),
            "category": _category_filter_choices(),
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", _("结束日期不能早于开始日期。"))
        return data
