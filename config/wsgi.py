import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from hotline.core.wsgi import frozen_after_first_request  # noqa: E402  (after the settings)

application = frozen_after_first_request(get_wsgi_application())
