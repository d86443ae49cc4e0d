from django.apps import AppConfig


class QualitativeConfig(AppConfig):
    name = "commed.qualitative"
    label = "qualitative"
