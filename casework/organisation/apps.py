from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "casework.organisation"
    label = "organisation"
