"""Production: PostgreSQL, several web processes behind a proxy, HTTPS.

Refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` (no silent
defaults). ``python manage.py check --deploy`` passes with these settings (docs/security.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured

_missing = [
    name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not os.environ.get(name)
]
if _missing:
    raise ImproperlyConfigured(
        f"production settings need {', '.join(_missing)} in the environment (docs/deploy.md)"
    )

from .base import *  # noqa: E402, F403
from .base import HOTLINE_TRUSTED_PROXIES  # noqa: E402

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters, random")

# HTTPS: cookies only over TLS, HSTS, redirect plain HTTP. HTTPS=0 only for a closed test
# network without TLS (check --deploy then warns, as it should).
HTTPS = os.environ.get("HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HOTLINE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("HOTLINE_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("HOTLINE_HSTS_PRELOAD", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# The proxy terminates TLS: believe its X-Forwarded-Proto only when proxies are configured
# (the same HOTLINE_TRUSTED_PROXIES the login throttle believes).
if HOTLINE_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
