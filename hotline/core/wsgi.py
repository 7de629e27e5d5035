"""The WSGI application as production serves it (``config/wsgi.py``).

``frozen_after_first_request`` moves everything alive after the first request — the modules,
the URL patterns, the templates, the translation catalogues, the router's tables, all loaded
once and kept for the life of the process — out of the garbage collector's sight
(``gc.freeze``). Without it every full collection walks those ~165,000 objects again: about
90 ms added to one request in three on the 1,000,000-ticket red list (issue 15 bench), none of
it freeing anything.
"""

from __future__ import annotations

import gc
import threading


def freeze_long_lived() -> None:
    """Collect what is garbage now, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()


def frozen_after_first_request(app):
    lock = threading.Lock()
    pending = [True]

    def application(environ, start_response):
        try:
            return app(environ, start_response)
        finally:
            if pending[0]:
                with lock:
                    if pending[0]:
                        pending[0] = False
                        freeze_long_lived()

    return application
