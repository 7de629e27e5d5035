from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "hotline.insight"
    label = "insight"
    verbose_name = "智能分析"

    def ready(self) -> None:
        from hotline.orgs.changes import catalogue_listener_register
        from hotline.tickets.extensions import (
            after_register,
            queue_filter_register,
            registration_rows_register,
            urgency_detector_register,
        )

        from .selectors import routing_changed, same_place_and_issue
        from .services import dispatch_recorded, reply_checked, signature_rows, urgency_detect

        registration_rows_register(signature_rows)
        urgency_detector_register(urgency_detect)
        after_register("dispatch", dispatch_recorded)
        after_register("reply", reply_checked)
        catalogue_listener_register(routing_changed)
        queue_filter_register("duplicates", same_place_and_issue)
