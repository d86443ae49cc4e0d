from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "commed.links"
    label = "links"
