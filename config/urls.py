from django.contrib import admin
from django.urls import include, path

from hotline.accounts.forms import AdminLoginForm

from .api import api

admin.site.site_header = "Hotline 12345 政务服务便民热线 管理后台"
admin.site.site_title = "Hotline 管理后台"
admin.site.index_title = "系统管理"
admin.site.login_form = AdminLoginForm  # throttled like every login (hotline.accounts.throttle)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("hotline.intake.urls")),
    path("", include("hotline.assessment.urls")),
    path("", include("hotline.feedback.urls")),
    path("", include("hotline.telephony.urls")),
    path("", include("hotline.knowledge.urls")),
    path("", include("hotline.console.urls")),
]

# The platform's own error pages, in the user's language (JSON under /api/: the edge's format).
handler404 = "hotline.console.errors.not_found"
handler403 = "hotline.console.errors.forbidden"
handler500 = "hotline.console.errors.server_error"
