from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "commed.allocation"
    label = "allocation"
