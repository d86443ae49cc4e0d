from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "commed.reports"
    label = "reports"
