"""The console's and the admin's login forms, throttled like the token endpoint
(``hotline.accounts.throttle``)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import throttle


class ThrottledLogin(AuthenticationForm):
    """Checks the throttle before the password, and counts a failure after it."""

    via = "console"

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        client = throttle.request_client(self.request)
        refusal = throttle.login_refusal(username=username, client=client)
        if refusal is not None:
            throttle.login_failed(username=username, client=client, via=self.via, refused=True)
            raise forms.ValidationError(refusal.message, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.login_failed(username=username, client=client, via=self.via)
            raise
        throttle.login_succeeded(username=username)
        return cleaned


class ConsoleLoginForm(ThrottledLogin):
    via = "console"


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):  # staff only, as the admin asks
    via = "admin"
