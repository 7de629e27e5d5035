"""Run the web server, a background worker and the scheduler together (the embedded default).

Production runs them separately: any number of ``gunicorn config.wsgi`` processes and
``manage.py db_worker`` and ``manage.py run_scheduler`` processes on any number of machines
(docs/deploy.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a background worker together until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, "manage.py"]
        env = dict(os.environ)
        procs = [
            subprocess.Popen([*manage, "db_worker", "--queue-name", "default"], env=env),
            subprocess.Popen([*manage, "run_scheduler"], env=env),
            subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"], env=env),
        ]
        self.stdout.write(
            f"Hotline is running at http://{host}:{port}/  (console /console/, admin /admin/, API docs /api/v1/docs)"
        )
        self.stdout.write(
            "logins (password demo): admin agent dispatcher callback evaluator supervisor inspector leader auditor, <unit code>-handler, <unit code>-dispatcher"
        )

        def stop(*_):
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(proc.poll() is None for proc in procs):
                time.sleep(0.5)
        finally:
            stop()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.stdout.write("stopped")
