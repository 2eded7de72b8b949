from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casework.access"
    label = "access"

    def ready(self):
        from casework.access.scope_cache import connect_signals

        connect_signals()
