"""The staff console's pages. Included at the site root by config/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from hotline.accounts.forms import ConsoleLoginForm

from . import attachments, home, oversight, views

app_name = "console"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:home", permanent=False), name="root"),
    path(
        "console/login/",
        auth_views.LoginView.as_view(
            template_name="console/login.html",
            redirect_authenticated_user=True,
            authentication_form=ConsoleLoginForm,
        ),
        name="login",
    ),
    path(
        "console/logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"
    ),
    # The user's home: the queue of their role (homes.py).
    path("console/", home.home, name="home"),
    path("console/intake/history/", home.intake_history, name="intake_history"),
    path("console/intake/similar/", home.intake_similar, name="intake_similar"),
    path("console/tickets/", views.ticket_list, name="ticket_list"),
    path("console/tickets/new/", views.ticket_new, name="ticket_new"),
    path("console/tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("console/tickets/<str:number>/reveal/", views.ticket_reveal, name="ticket_reveal"),
    path("console/tickets/<str:number>/reply-check/", views.reply_check, name="reply_check"),
    path(
        "console/tickets/<str:number>/actions/<str:action>/",
        views.ticket_action,
        name="ticket_action",
    ),
    path(
        "console/tickets/<str:number>/attachments/<int:attachment_id>/",
        attachments.attachment,
        name="ticket_attachment",
    ),
    # The homes of the overseeing roles (hotline/console/oversight.py).
    path("console/supervision/", oversight.supervisor_home, name="supervisor_home"),
    path("console/inspection/", oversight.inspector_home, name="inspector_home"),
    path("console/leader/", oversight.leader_home, name="leader_home"),
    path("console/leader/tickets/<str:metric>/", oversight.leader_tickets, name="leader_tickets"),
    path("console/audit/", oversight.audit_log, name="audit_log"),
    # Django's set_language view (POST): the console's language switch.
    path("i18n/", include("django.conf.urls.i18n")),
]
