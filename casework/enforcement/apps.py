from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "casework.enforcement"
    label = "enforcement"
    verbose_name = "Compliance and enforcement"
