from django.urls import path

from commed.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("import/", views.partners_import_view, name="import"),
    path("export.<str:fmt>", views.partners_export_view, name="export"),
    path("agreements/expiring/", views.agreements_expiring, name="agreements_expiring"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/partnerships/new/", views.partnership_create, name="partnership_create"),
    path("<int:pk>/interactions/", views.interaction_create, name="interaction_create"),
    path("<int:pk>/ledger/new/", views.ledger_create, name="ledger_create"),
    path("contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("partnerships/<int:pk>/stage/", views.partnership_stage, name="partnership_stage"),
    path("partnerships/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
]
