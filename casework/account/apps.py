from django.apps import AppConfig


class AccountConfig(AppConfig):
    name = "casework.account"
    label = "account"
    verbose_name = "Accounts"
