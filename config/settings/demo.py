"""The embedded demo (``make demo``): DEBUG off, like production, on SQLite.

The secret key comes from ``SECRET_KEY`` or, without it, from ``var/secret_key``, generated
on first start and kept there (readable by the owner only), so sessions survive restarts and no
key is shared between installations.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False


def demo_secret(path) -> str:
    """The key kept in ``path``, generated there on first use."""
    if not path.exists():
        # Written aside, then linked into place: processes starting together all read the
        # one key that won, never a half-written file.
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or demo_secret(BASE_DIR / "var" / "secret_key")
