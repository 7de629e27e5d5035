"""Fixtures of the intake channels: Open311 keys and the published Open311 client libraries
(georeport for the reads, civicbot for filing), talking to Django's test client through their
own HTTP transports, or to the live test server."""

from __future__ import annotations

import urllib.parse

import pytest
import requests
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from django.test import Client
from georeport import GeoReport

from hotline.intake.open311.services import open311_key_create
from tests.intake.wechat_sim import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, WeChatSimulator
from tests.notifications.conftest import fake_provider  # noqa: F401 - a fixture used here too

BASE = "http://testserver/open311/v2"


@pytest.fixture
def open311_key(db):
    """A live key: (row, key)."""
    return open311_key_create(name="city-app")


class DjangoClientAdapter(requests.adapters.BaseAdapter):
    """A requests transport that hands each request to Django's test client."""

    def __init__(self, client: Client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        url = urllib.parse.urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        call = getattr(self.client, request.method.lower())
        if request.body is not None:
            answer = call(
                path,
                data=request.body,
                content_type=request.headers.get("Content-Type", ""),
                headers=headers,
            )
        else:
            answer = call(path, headers=headers)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


@pytest.fixture
def georeport_client(db, monkeypatch):
    """georeport's GeoReport on the test client: ``georeport_client("json"|"xml")``."""
    adapter = DjangoClientAdapter(Client())
    original = requests.sessions.Session.get_adapter

    def get_adapter(session, url):
        if url.startswith("http://testserver/"):
            return adapter
        return original(session, url)

    monkeypatch.setattr(requests.sessions.Session, "get_adapter", get_adapter)
    return lambda fmt="json": GeoReport(BASE, output_format=fmt)


class DjangoClientTransport(HttpTransport):
    """civicbot's transport, sending through Django's test client instead of the network."""

    def __init__(self, client: Client, headers: dict | None = None):
        super().__init__(rate_limiter=RateLimiter(min_interval=0))
        self.client = client
        self.extra_headers = headers or {}

    def _open(self, req):
        url = urllib.parse.urlsplit(req.full_url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {**dict(req.header_items()), **self.extra_headers}
        headers.pop("Content-type", None)
        if req.data is not None:
            answer = self.client.generic(
                req.get_method(),
                path,
                data=req.data,
                content_type=req.get_header("Content-type"),
                headers=headers,
            )
        else:
            answer = self.client.get(path, headers=headers)
        if answer.status_code >= 400:
            raise HttpError(answer.status_code, req.full_url, answer.content.decode())
        return answer.content


def civicbot_endpoint(base: str) -> Endpoint:
    return Endpoint(id="hotline", name="Hotline", base_url=base, write=True)


@pytest.fixture
def civicbot_client(db):
    """civicbot's Open311Client on the test client: ``civicbot_client(headers=None)``."""

    def make(headers: dict | None = None) -> Open311Client:
        transport = DjangoClientTransport(Client(), headers)
        return Open311Client(civicbot_endpoint(BASE), transport=transport)

    return make


# --- WeChat ---------------------------------------------------------------------------------


@pytest.fixture(params=["plaintext", "safe"])
def wechat(request, db, settings):
    """A WeChat simulator in each mode the account can be in."""
    settings.WECHAT_TOKEN = WECHAT_TOKEN
    settings.WECHAT_APP_ID = WECHAT_APP_ID
    safe = request.param == "safe"
    settings.WECHAT_ENCODING_AES_KEY = WECHAT_AES_KEY if safe else ""
    return WeChatSimulator(Client(), safe=safe)
