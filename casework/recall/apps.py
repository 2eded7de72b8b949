from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "casework.recall"
    label = "recall"
    verbose_name = "Recall"
