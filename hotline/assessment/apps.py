from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "hotline.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        from .facts import facts_register

        facts_register()
