from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "casework.allocation"
    label = "allocation"
    verbose_name = "Allocation"
