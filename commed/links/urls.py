from django.urls import path

from commed.links import views

app_name = "links"
urlpatterns = [
    path("l/<str:token>/", views.open_link, name="open"),
    path("links/", views.link_list, name="list"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="revoke"),
]
