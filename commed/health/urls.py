from django.urls import path

from commed.health import views

app_name = "health"
urlpatterns = [
    path("", views.locality_list, name="index"),
    path("localities/new/", views.locality_create, name="locality_create"),
    path("localities/<int:pk>/", views.locality_detail, name="locality_detail"),
    path("localities/<int:pk>/edit/", views.locality_edit, name="locality_edit"),
    path("localities/<int:pk>/priorities/", views.locality_priorities, name="locality_priorities"),
    path("localities/<int:pk>/cite/", views.evidence_cite, name="evidence_cite"),
    path("releases/", views.release_list, name="releases"),
    path("indicators/domain/", views.indicator_domain, name="indicator_domain"),
    path("import/", views.import_view, name="import"),
]
