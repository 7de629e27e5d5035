from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "hotline.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self) -> None:
        from .handlers import handlers_register

        handlers_register()
