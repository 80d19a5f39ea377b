from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "platform.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
