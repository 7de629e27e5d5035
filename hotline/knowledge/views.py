"""The knowledge-base pages (知识库): list and search, an article, write and edit, review."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.core.errors import BadInput, Conflict, Forbidden, HotlineError, NotFound
from hotline.tickets.staff_pages import error_text, forbidden, page, staff_login_required

from . import rules, selectors, services
from .forms import ArticleForm, NoteForm, SearchForm

PAGE_SIZE = 20


@staff_login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_read(request.user):
        return forbidden(request, _("你的角色不能查看知识库。"))
    form = SearchForm(request.GET or None)
    drafts = selectors.may_see_drafts(request.user)
    qs = None
    if not form.is_bound:
        qs = selectors.articles_search(request.user, published_only=not drafts)
    elif form.is_valid():
        data = form.cleaned_data
        try:
            qs = selectors.articles_search(
                request.user,
                q=data["q"],
                category=data["category"] or None,
                status=data["status"] or None,
                published_only=not drafts,
            )
        except BadInput as error:
            form.add_error(None, error_text(error))
    if qs is None:
        qs = selectors.articles_search(request.user).none()
    listing = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "knowledge/list.html",
        {
            "form": form,
            "page": listing,
            "drafts": drafts,
            "can_write": bool(selectors.roles_of(request.user) & rules.WRITERS),
            "statuses": rules.STATUSES,
            "query": query.urlencode(),
        },
    )


def _get(request: HttpRequest, article_id: int):
    try:
        return selectors.article_get(
            request.user, article_id, published_only=not selectors.may_see_drafts(request.user)
        )
    except NotFound:
        raise Http404 from None


@staff_login_required
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    if not selectors.may_read(request.user):
        return forbidden(request, _("你的角色不能查看知识库。"))
    article = _get(request, article_id)
    roles = selectors.roles_of(request.user)
    wrote_it = article.written_by_id == request.user.pk
    actions = [
        (name, _(rules.ACTIONS[name].label))
        for name in rules.allowed(article.status, roles=roles, wrote_it=wrote_it)
        if name != "edit"
    ]
    return page(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "status_label": _(rules.STATUSES[article.status]),
            "actions": actions,
            "can_edit": "edit" in rules.allowed(article.status, roles=roles, wrote_it=wrote_it),
            "revisions": selectors.article_revisions(article)[:20],
            "note_form": NoteForm(),
            "review_by_other": article.status == rules.IN_REVIEW and wrote_it,
        },
    )


def _form_page(request, form, article=None, status=200) -> HttpResponse:
    return page(request, "knowledge/form.html", {"form": form, "article": article}, status=status)


def _save(request: HttpRequest, form: ArticleForm, article=None) -> HttpResponse:
    try:
        if article is None:
            saved = services.article_create(actor=request.user, data=form.cleaned_data)
        else:
            saved = services.article_edit(
                actor=request.user, article_id=article.pk, data=form.cleaned_data
            )
    except BadInput as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error_text(error))
        return _form_page(request, form, article, status=400)
    except (Forbidden, Conflict) as error:
        return forbidden(request, str(error.detail))
    messages.success(request, _("已保存为草稿。"))
    return redirect("knowledge:detail", article_id=saved.pk)


@staff_login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    if not selectors.roles_of(request.user) & rules.WRITERS:
        return forbidden(request, _("你的角色不能撰写知识库文章。"))
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save(request, form)
    return _form_page(request, form, status=400 if form.is_bound else 200)


@staff_login_required
@require_http_methods(["GET", "POST"])
def article_edit_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _get(request, article_id)
    roles = selectors.roles_of(request.user)
    if "edit" not in rules.allowed(article.status, roles=roles, wrote_it=False):
        return forbidden(request, _("你不能编辑这篇文章。"))
    initial = {"category": article.category.code, "title": article.title, "body": article.body}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, article)
    return _form_page(request, form, article, status=400 if form.is_bound else 200)


@staff_login_required
@require_POST
def article_action(request: HttpRequest, article_id: int, action: str) -> HttpResponse:
    article = _get(request, article_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.article_act(actor=request.user, article_id=article.pk, action=action, note=note)
    except (Forbidden, Conflict) as error:
        return forbidden(request, str(error.detail))
    except HotlineError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("已完成：%(action)s") % {"action": _(rules.ACTIONS[action].label)}
        )
    return redirect("knowledge:detail", article_id=article.pk)
