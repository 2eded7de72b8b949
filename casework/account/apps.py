from django.apps import AppConfig


class AccountConfig(AppConfig):
    name = "casework.account"
    label = "account"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from casework.account.checks import second_factor_enforced
        from casework.account.middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="casework_stamp_new_session")
        checks.register(second_factor_enforced, deploy=True)
