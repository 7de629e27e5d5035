import time

from django.core.management.base import BaseCommand

from hotline.core.scheduler import scheduler_tick
from hotline.runtime.jobs import JOBS


class Command(BaseCommand):
    help = "Fire the periodic jobs (warning scan, retraining); run one or more anywhere."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")

    def handle(self, *args, once, interval, **options):
        while True:
            fired = scheduler_tick(jobs=JOBS)
            if once:
                self.stdout.write(f"fired={','.join(fired)}")
                return
            time.sleep(interval)
