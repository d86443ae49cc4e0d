from django.urls import path

from commed.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("drafts/new/", views.draft_create, name="draft_create"),
    path("drafts/<int:pk>/", views.draft_detail, name="draft_detail"),
    path("drafts/<int:pk>/next-steps/", views.draft_next_steps, name="draft_next_steps"),
    path("drafts/<int:pk>/refresh/", views.draft_refresh, name="draft_refresh"),
    path("drafts/<int:pk>/link/", views.draft_link, name="draft_link"),
    path("drafts/<int:pk>/release/", views.draft_release, name="draft_release"),
    path("drafts/<int:pk>/report.<str:fmt>", views.draft_download, name="draft_download"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:key>.svg", views.chart_download, name="chart_download"),
    path("equity/", views.equity, name="equity"),
    path("packs/<int:pk>/pack.<str:fmt>", views.pack_download, name="pack_download"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/download/", views.run_download, name="run_download"),
    path("my-characteristics/", views.characteristics, name="characteristics"),
]
