from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready.
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from accounts.lockout import record_failure
        from accounts.staff import after_migrate

        user_login_failed.connect(record_failure, dispatch_uid="accounts.record_login_failure")
        post_migrate.connect(after_migrate, dispatch_uid="accounts.staff_permissions")
        # Every app's privacy.py registers what it holds about a person (accounts.personal_data): found by name,
        # as the admin finds admin.py, so that this low layer never imports the apps above it.
        autodiscover_modules("privacy")
