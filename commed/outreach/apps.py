from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "commed.outreach"
    label = "outreach"
