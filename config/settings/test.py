import tempfile
from pathlib import Path

from .base import *  # noqa: F403

# No suggestion model unless a test trains one (a developer's var/models stays out of the tests).
HOTLINE_MODEL_DIR = Path(tempfile.mkdtemp(prefix="hotline-test-models-"))

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
