from django.urls import path

from commed.allocation import views

app_name = "allocation"
urlpatterns = [
    path("", views.index, name="index"),
    path("cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("cohorts/<int:pk>/projects/", views.project_settings, name="project_settings"),
    path("cohorts/<int:pk>/student-questions/", views.attribute_questions, name="attribute_questions"),
    path("cohorts/<int:pk>/import/", views.preferences_import_view, name="preferences_import"),
    path("cohorts/<int:pk>/import-rankings/", views.partner_rankings_import_view, name="partner_rankings_import"),
    path("cohorts/<int:pk>/partners/<int:organisation>/ranking/", views.partner_ranking, name="partner_ranking"),
    path("cohorts/<int:pk>/partner-links/", views.partner_ranking_link, name="partner_ranking_link"),
    path("cohorts/<int:pk>/runs/new/", views.run_create, name="run_create"),
    path("cohorts/<int:pk>/my-choices/", views.preferences, name="preferences"),
    path("cohorts/<int:pk>/students/<int:student_pk>/details/", views.student_detail, name="student_detail"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/move/", views.run_move, name="run_move"),
    path("runs/<int:pk>/rerun/", views.run_rerun, name="run_rerun"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/download/<str:what>/", views.run_download, name="run_download"),
]
