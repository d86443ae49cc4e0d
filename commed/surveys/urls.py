from django.urls import path

from commed.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("ready-made/", views.instrument_create, name="instrument_create"),
    path("mine/", views.mine, name="mine"),
    path("answer/<int:pk>/", views.respond, name="respond"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/status/", views.survey_status, name="status"),
    path("<int:pk>/copy/", views.survey_copy, name="copy"),
    path("<int:pk>/sections/new/", views.section_create, name="section_create"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invite-link/", views.invite_link, name="invite_link"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/export/<str:fmt>/", views.export, name="export"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/move/", views.section_move, name="section_move"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:pk>/questions/new/", views.item_create, name="item_create"),
    path("questions/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("questions/<int:pk>/move/", views.item_move, name="item_move"),
    path("questions/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
