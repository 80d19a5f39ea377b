from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "platform.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from platform.accounts.lockout import record_failure

        user_login_failed.connect(record_failure, dispatch_uid="accounts.record_login_failure")
