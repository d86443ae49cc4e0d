from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "commed.programmes"
    label = "programmes"
