"""Settings shared by every environment.

Configuration comes from the environment (twelve-factor): ``DATABASE_URL`` picks the database
(``sqlite:///path`` or ``postgres://...``); without it a SQLite file in the project folder is used.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "hotline.core",
    "hotline.accounts",
    "hotline.orgs",
    "hotline.workcal",
    "hotline.tickets",
    "hotline.supervision",
    "hotline.insight",
    "hotline.notifications",
    "hotline.assessment",
    "hotline.intake",
    "hotline.feedback",
    "hotline.telephony",
    "hotline.knowledge",
    "hotline.console",
    "hotline.runtime",
]

MIDDLEWARE = [
    # The edge (hotline/core/middleware.py, docs/security.md): one error format under /api/,
    # size caps before a body is read, no control characters in any input.
    "hotline.core.middleware.ApiErrorFormatMiddleware",
    "hotline.core.middleware.BodySizeMiddleware",
    "hotline.core.middleware.InputGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'hotline.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (``Index(include=...)``) are a PostgreSQL read path of the assessment's
    # sums (hotline/assessment/sums.py); SQLite ignores the included columns and keeps the
    # plain index, which is what the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # WAL + a busy timeout so the web server and the worker can share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Test databases are created UTF-8 from template0, whatever the server's default.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
    # Server-side parameter binding: psycopg prepares a statement it has run 5 times on a
    # connection, so PostgreSQL parses and plans the hot statements once, not on every request
    # (docs/deploy.md: incompatible with PgBouncer in transaction mode; DB_SERVER_SIDE_BINDING=0).
    # Each prepared statement is still planned for its own parameters
    # (plan_cache_mode=force_custom_plan): after a few runs PostgreSQL otherwise switches to a
    # generic plan, which for a list filtered by words or by a set of red tickets reads the whole
    # ticket table (140 ms -> 2 s at 1,000,000 tickets from the 11th request on: docs/deploy.md).
    if os.environ.get("DB_SERVER_SIDE_BINDING", "1") == "1":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "server_side_binding": True,
                "prepare_threshold": 5,
                "options": "-c plan_cache_mode=force_custom_plan",
            }
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Strict content security policy on every page: nothing from outside, no inline script.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Hotline -----------------------------------------------------------------------------
# Working hours of a working day, used by the clocks counted in working hours (dispatch,
# forward). Local time, Asia/Shanghai.
HOTLINE_WORKING_HOURS = [("08:30", "12:00"), ("14:00", "17:30")]
# Upper bound on a request body (bytes), on every route: larger bodies get 413 before they are
# read. Multipart uploads have their own, larger cap.
HOTLINE_MAX_BODY = int(os.environ.get("HOTLINE_MAX_BODY", 256 * 1024))
HOTLINE_MAX_UPLOAD = int(os.environ.get("HOTLINE_MAX_UPLOAD", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = HOTLINE_MAX_BODY
# Files staff attach to a reply or comment (hotline/core/uploads.py): at most this many per
# action, each at most this large; the whole request stays under HOTLINE_MAX_UPLOAD.
HOTLINE_ATTACHMENT_MAX_BYTES = int(os.environ.get("HOTLINE_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024))
HOTLINE_ATTACHMENT_MAX_COUNT = int(os.environ.get("HOTLINE_ATTACHMENT_MAX_COUNT", "5"))
# Login throttling (hotline/accounts/throttle.py): failures per account and per client address
# within a sliding window, counted in the database so every web process shares the count.
HOTLINE_LOGIN_WINDOW = int(os.environ.get("HOTLINE_LOGIN_WINDOW", "900"))
HOTLINE_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("HOTLINE_LOGIN_ACCOUNT_LIMIT", "5"))
HOTLINE_LOGIN_CLIENT_LIMIT = int(os.environ.get("HOTLINE_LOGIN_CLIENT_LIMIT", "20"))
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty:
# the client is the peer (REMOTE_ADDR), whatever headers it sends.
HOTLINE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("HOTLINE_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Token lifetime in days.
HOTLINE_TOKEN_DAYS = int(os.environ.get("HOTLINE_TOKEN_DAYS", "30"))
# Public base URL used in links sent to citizens.
HOTLINE_PUBLIC_URL = os.environ.get("HOTLINE_PUBLIC_URL", "http://127.0.0.1:8000")
# Where versioned insight models are stored.
HOTLINE_MODEL_DIR = Path(os.environ.get("HOTLINE_MODEL_DIR", BASE_DIR / "var" / "models"))
# Real public data used by the demo and the insight trainer (never copied into the repository).
HOTLINE_SHARED_DATA = Path(
    os.environ.get("HOTLINE_SHARED_DATA", BASE_DIR.parent / "shared" / "data")
)
# Notification gateways (docs/notifications.md): console, file, http, aliyun, tencent.
HOTLINE_SMS_GATEWAY = os.environ.get("HOTLINE_SMS_GATEWAY", "console")
HOTLINE_VOICE_GATEWAY = os.environ.get("HOTLINE_VOICE_GATEWAY", "console")
HOTLINE_GATEWAY_FILE = Path(
    os.environ.get("HOTLINE_GATEWAY_FILE", BASE_DIR / "var" / "outbox.jsonl")
)
HOTLINE_HTTP_GATEWAY = {
    "url": os.environ.get("HOTLINE_HTTP_GATEWAY_URL", ""),
    "secret": os.environ.get("HOTLINE_HTTP_GATEWAY_SECRET", ""),
    "timeout": float(os.environ.get("HOTLINE_HTTP_GATEWAY_TIMEOUT", "5")),
}
HOTLINE_ALIYUN_SMS = json.loads(os.environ.get("HOTLINE_ALIYUN_SMS", "{}"))
HOTLINE_TENCENT_SMS = json.loads(os.environ.get("HOTLINE_TENCENT_SMS", "{}"))
HOTLINE_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("HOTLINE_OUTBOX_MAX_ATTEMPTS", "8"))
LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"
# Open311 GeoReport v2 (docs/channels.md). One jurisdiction is served: an empty id accepts any.
HOTLINE_OPEN311_JURISDICTION = os.environ.get("HOTLINE_OPEN311_JURISDICTION", "")
# What GET requests publishes without a key: "api" (requests filed through Open311) or "all".
HOTLINE_OPEN311_PUBLISH = os.environ.get("HOTLINE_OPEN311_PUBLISH", "api")
HOTLINE_CENTRE_UNIT = os.environ.get("HOTLINE_CENTRE_UNIT", "center")
# WeChat Official Account (docs/channels.md): the server's token, the AppID, and the
# EncodingAESKey (safe/compatible mode when set); AppSecret and the progress template for
# template messages; the API base (a local fake in the tests).
WECHAT_TOKEN = os.environ.get("WECHAT_TOKEN", "")
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_ENCODING_AES_KEY = os.environ.get("WECHAT_ENCODING_AES_KEY", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_TEMPLATE_ID = os.environ.get("WECHAT_TEMPLATE_ID", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
# Gateways of WeChat template messages and WeCom work-group robots: console (development),
# file, or wechat / wecom (the real APIs).
HOTLINE_WECHAT_GATEWAY = os.environ.get("HOTLINE_WECHAT_GATEWAY", "console")
HOTLINE_WECOM_GATEWAY = os.environ.get("HOTLINE_WECOM_GATEWAY", "console")
# Open311 rate limits, requests a minute: any request per client address; POSTs per API key.
HOTLINE_OPEN311_RATE_PER_IP = int(os.environ.get("HOTLINE_OPEN311_RATE_PER_IP", "600"))
HOTLINE_OPEN311_RATE_PER_KEY = int(os.environ.get("HOTLINE_OPEN311_RATE_PER_KEY", "120"))
# Portal rate limits (hotline/intake/portal/ratelimit.py), JSON {name: [hits, seconds]} over
# the defaults, e.g. {"submit": [20, 3600]}.
HOTLINE_PORTAL_RATES = json.loads(os.environ.get("HOTLINE_PORTAL_RATES", "{}"))
