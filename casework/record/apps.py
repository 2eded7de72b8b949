from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "casework.record"
    label = "record"
