from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "hotline.orgs"
    label = "orgs"
    verbose_name = "组织与目录"
