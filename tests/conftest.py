"""Shared fixtures. The demo org tree, catalogue, calendar (2024-2026, confirmed) and logins are
built once per test session; each test runs in a transaction that is rolled back.

Tests that need real commits (``transactional``) are moved to the end of the run, because
they flush the database; they rebuild what they need themselves."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.accounts.models import User


def seed_reference_data() -> None:
    from hotline.accounts.demo import build_users
    from hotline.insight.demo import seed_rules
    from hotline.orgs.demo import build_org
    from hotline.workcal.models import CalendarYear
    from hotline.workcal.services import calendar_seed_year

    for year in (2024, 2025, 2026):
        if not CalendarYear.objects.filter(year=year, confirmed=True).exists():
            calendar_seed_year(year=year, confirm=True)
    build_org()
    seed_rules()
    build_users()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_reference_data()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (
            item.get_closest_marker("django_db") is None
            and "transactional_db" not in getattr(item, "fixturenames", ())
            and "reseeded" not in getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.django_db)
    items.sort(key=lambda item: 1 if item.get_closest_marker("transactional") else 0)


def pytest_configure(config):
    config.addinivalue_line("markers", "transactional: commits for real; runs last and reseeds")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar is cached per process; each test starts from what its database holds."""
    from hotline.workcal.selectors import calendar_changed

    calendar_changed()
    yield
    calendar_changed()


@pytest.fixture(autouse=True)
def _fresh_routing_cache():
    """The dispatch suggester caches the catalogue, places and history per process."""
    from hotline.insight.selectors import routing_changed

    routing_changed()
    yield
    routing_changed()


@pytest.fixture
def reseeded(transactional_db):
    seed_reference_data()


@pytest.fixture
def user(db):
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


class Api:
    """A JSON client for /api/v1 acting as one user."""

    def __init__(self, username: str | None):
        self.client = Client()
        self.headers = {}
        if username:
            from hotline.accounts.services import token_issue

            self.headers["Authorization"] = (
                f"Bearer {token_issue(username=username, password='demo')}"
            )

    def _call(self, method, path, body=None, headers=None):
        all_headers = {**self.headers, **(headers or {})}
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs = {"headers": all_headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, body=None, **kw):
        return self._call("post", path, body if body is not None else {}, **kw)

    def act(self, number, action, **data):
        return self.post(f"tickets/{number}/actions/{action}", data)


@pytest.fixture
def api(db):
    cache: dict[str | None, Api] = {}

    def as_user(username: str | None = None) -> Api:
        if username not in cache:
            cache[username] = Api(username)
        return cache[username]

    return as_user


@pytest.fixture
def tiny_model(settings, tmp_path):
    """A small trained suggestion model in use (three classes), in a folder of its own."""
    from hotline.insight import classifier

    settings.HOTLINE_MODEL_DIR = tmp_path
    texts = (
        ["小区路灯不亮", "道路坑洼积水", "下水道堵塞", "楼顶漏水维修"] * 3
        + ["拖欠工资不发", "社保断缴", "工伤认定", "劳动合同纠纷"] * 3
        + ["学校乱收费", "教师体罚学生", "招生不公平", "幼儿园收费"] * 3
    )
    labels = ["城乡建设"] * 12 + ["劳动和社会保障"] * 12 + ["教育文体"] * 12
    classifier.save_model(
        classifier.train([classifier.model_text(t) for t in texts], labels, calibration_folds=2),
        tmp_path,
    )
    yield tmp_path
    classifier._cache.clear()
