from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "casework.supervision"
    label = "supervision"
    verbose_name = "Supervision cycle"
