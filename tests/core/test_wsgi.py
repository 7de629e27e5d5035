"""Production's WSGI application freezes the long-lived objects once, after the first request."""

import gc

from hotline.core.wsgi import frozen_after_first_request


def test_the_first_request_freezes_then_no_other_and_answers_pass_through(monkeypatch):
    calls = []
    monkeypatch.setattr("hotline.core.wsgi.freeze_long_lived", lambda: calls.append(1))

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    wrapped = frozen_after_first_request(app)
    statuses = []
    for _ in range(3):
        assert wrapped({}, lambda status, headers: statuses.append(status)) == [b"ok"]
    assert statuses == ["200 OK"] * 3
    assert calls == [1]


def test_a_failing_first_request_still_freezes_once(monkeypatch):
    calls = []
    monkeypatch.setattr("hotline.core.wsgi.freeze_long_lived", lambda: calls.append(1))

    def broken(environ, start_response):
        raise RuntimeError("boom")

    wrapped = frozen_after_first_request(broken)
    for _ in range(2):
        try:
            wrapped({}, None)
        except RuntimeError:
            pass
    assert calls == [1]


def test_freezing_moves_the_survivors_out_of_the_collectors_sight():
    from hotline.core.wsgi import freeze_long_lived

    try:
        freeze_long_lived()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
