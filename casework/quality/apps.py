from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "casework.quality"
    label = "quality"
    verbose_name = "Quality assurance"
