from django.urls import include, path

from commed.accounts import views as account_views
from commed.audit import views as audit_views
from commed.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/logout/", account_views.logout_view, name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("partners/", include("commed.partners.urls")),
    path("", include("commed.links.urls")),
    path("programmes/", include("commed.programmes.urls")),
    path("allocation/", include("commed.allocation.urls")),
    path("outreach/", include("commed.outreach.urls")),
    path("research/", include("commed.qualitative.urls")),
    path("health/", include("commed.health.urls")),
    path("reports/", include("commed.reports.urls")),
    path("surveys/", include("commed.surveys.urls")),
]

handler404 = "commed.core.views.not_found"
