"""Root URLs: login and logout, the admin and the applications' pages."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.views import LoginView
from jixiao.api.main import api

admin.site.site_header = _("绩效管理系统 管理后台")
admin.site.site_title = _("绩效管理系统")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("accounts/", include("jixiao.accounts.urls")),
    path("audit/", include("jixiao.audit.urls")),
    path("ledgers/", include("jixiao.ledgers.urls")),
    path("actuals/", include("jixiao.metrics.urls")),
    path("rounds/", include("jixiao.rounds.urls")),
    path("api/tokens/", include("jixiao.api.urls")),
    path("api/", api.urls),
    path("inbox/", include("jixiao.notifications.urls")),
    path("jobs/", include("jixiao.jobs.urls")),
    path("search/", include("jixiao.search.urls")),
    path("", include("jixiao.workbench.urls")),
    path("surveys/", include("jixiao.surveys.urls")),
    path("publication/", include("jixiao.publication.urls")),
    # Public pages, no login, reached by random tokens only: the survey form, publications.
    path("s/", include("jixiao.surveys.public_urls")),
    path("public/", include("jixiao.publication.public_urls")),
    path("", include("jixiao.targets.urls")),
]

# Chinese error pages in the site's layout; the 500 page shows the request id (jixiao.system).
handler400 = "jixiao.system.views.bad_request"
handler403 = "jixiao.system.views.permission_denied"
handler404 = "jixiao.system.views.page_not_found"
handler500 = "jixiao.system.views.server_error"
