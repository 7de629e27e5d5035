from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "hotline.runtime"
    label = "runtime"
    verbose_name = "运行"
