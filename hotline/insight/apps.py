from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "hotline.insight"
    label = "insight"
    verbose_name = "智能分析"

    def ready(self) -> None:
        from hotline.tickets.extensions import (
            registration_rows_register,
            urgency_detector_register,
        )

        from .services import signature_rows, urgency_detect

        registration_rows_register(signature_rows)
        urgency_detector_register(urgency_detect)
