from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "commed.partners"
    label = "partners"
