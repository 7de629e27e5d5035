from django.apps import AppConfig
from django.core import checks


class TicketsConfig(AppConfig):
    name = "hotline.tickets"
    label = "tickets"
    verbose_name = "工单"

    def ready(self) -> None:
        from hotline.core.scoping import visible_tickets_register
        from hotline.workcal.services import calendar_on_year_confirmed

        from .extensions import check_handlers
        from .handlers import handlers_register_builtin
        from .selectors import tickets_visible_or_all
        from .transition import tickets_reclock

        handlers_register_builtin()
        calendar_on_year_confirmed(tickets_reclock)
        checks.register(check_handlers)
        visible_tickets_register(tickets_visible_or_all)
