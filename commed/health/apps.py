from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "commed.health"
    label = "health"
