from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commed.audit"
    label = "audit"
