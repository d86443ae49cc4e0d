from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "commed.surveys"
    label = "surveys"
