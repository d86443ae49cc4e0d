from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "commed.core"
    label = "core"
