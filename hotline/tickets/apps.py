from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "hotline.tickets"
    label = "tickets"
    verbose_name = "工单"

    def ready(self) -> None:
        from hotline.workcal.services import calendar_on_year_confirmed

        from .services import tickets_reclock

        calendar_on_year_confirmed(tickets_reclock)
