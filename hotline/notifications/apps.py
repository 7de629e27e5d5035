from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hotline.notifications"
    label = "notifications"
    verbose_name = "通知"
