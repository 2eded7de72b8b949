from django.apps import AppConfig


class RulesetConfig(AppConfig):
    name = "casework.ruleset"
    label = "ruleset"
    verbose_name = "Rule configuration"
