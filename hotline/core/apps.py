from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"
    verbose_name = "核心"
