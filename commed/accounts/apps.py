from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commed.accounts"
    label = "accounts"
