"""Settings for real: production refuses to start half-configured and passes ``check --deploy``;
the demo runs with DEBUG off and a secret of its own."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "hotline.example.org",
    "DATABASE_URL": "postgres://hotline@db.example.org:5432/hotline",
}


def manage(*args: str, settings: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in (*PROD_ENV, "HTTPS")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_a_warning():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", settings="config.settings.prod", **PROD_ENV
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_key_hosts_and_database():
    for missing in PROD_ENV:
        env = {k: v for k, v in PROD_ENV.items() if k != missing}
        result = manage("check", settings="config.settings.prod", **env)
        assert result.returncode != 0
        assert f"production settings need {missing}" in result.stderr
    weak = manage("check", settings="config.settings.prod", **{**PROD_ENV, "SECRET_KEY": "x" * 60})
    assert weak.returncode != 0 and "SECRET_KEY must be" in weak.stderr


def test_without_https_check_deploy_says_so():
    result = manage("check", "--deploy", settings="config.settings.prod", **PROD_ENV, HTTPS="0")
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr


def test_the_demo_runs_without_debug_and_with_its_own_secret():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, len(settings.SECRET_KEY))",
        settings="config.settings.demo",
    )
    assert result.returncode == 0, result.stderr
    debug, length = result.stdout.split()[-2:]
    assert debug == "False" and int(length) >= 50
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export DJANGO_SETTINGS_MODULE = config.settings.demo" in makefile


def test_the_demo_secret_is_generated_once_and_kept_private(tmp_path):
    from config.settings.demo import demo_secret

    path = tmp_path / "var" / "secret_key"
    first = demo_secret(path)
    assert len(first) >= 50 and demo_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]
    assert demo_secret(tmp_path / "other") != first
