from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from hotline.accounts.demo import build_users
from hotline.feedback.demo import build_evaluators
from hotline.insight import classifier
from hotline.insight.demo import seed_rules
from hotline.knowledge.demo import build_articles
from hotline.orgs.demo import build_org
from hotline.telephony.demo import build_calls
from hotline.tickets.demo import build_tickets
from hotline.tickets.models import Ticket
from hotline.workcal.models import CalendarYear
from hotline.workcal.services import calendar_seed_year


class Command(BaseCommand):
    help = "Build the demo city: calendar, org tree, catalogue, logins (password demo) and tickets."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument(
            "--no-train", action="store_true", help="do not train the suggestion model"
        )
        parser.add_argument(
            "--call-days", type=int, default=28, help="days of call records per line (0: none)"
        )

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        for year in range(this_year - 2, this_year + 2):
            if not CalendarYear.objects.filter(year=year, confirmed=True).exists():
                calendar_seed_year(year=year, confirm=True)
        units = build_org()
        seed_rules()
        users = build_users()
        evaluators = build_evaluators()
        made = 0
        if not Ticket.objects.exists() and options["tickets"]:
            made = build_tickets(options["tickets"])
        # After the tickets: each phone ticket of those days gets the call it came from.
        calls = build_calls(days=options["call_days"]) if options["call_days"] > 0 else 0
        articles = build_articles()
        self.stdout.write(
            f"units={len(units)} new_logins={users} new_evaluators={evaluators} "
            f"new_calls={calls} tickets={made} knowledge_articles={articles}"
        )
        labelled = settings.HOTLINE_SHARED_DATA / "teddycup2020c" / "messages_labeled.csv"
        if not options["no_train"] and classifier.current_name() is None and labelled.exists():
            self.stdout.write("training the dispatch suggestion model (about a minute) ...")
            call_command("insight_train", data=str(labelled), stdout=self.stdout)
        self.stdout.write(
            "logins: admin, agent, dispatcher, callback, evaluator, supervisor, inspector, leader, auditor; <unit code>-handler, <unit code>-dispatcher; "
            "evaluators: eval-coordinator, eval-pro-01..03, eval-deputy-01..02, eval-member-01..02, eval-media-01..02, <district>-centre-evaluator; password: demo"
        )
        self.stdout.write(f"tickets={Ticket.objects.count()}")
