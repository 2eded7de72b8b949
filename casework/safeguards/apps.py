from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "casework.safeguards"
    label = "safeguards"
    verbose_name = "Safeguard tasks"
