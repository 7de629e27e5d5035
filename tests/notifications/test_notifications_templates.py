"""Templates: Chinese texts with named parameters; a missing one is a clear error."""

from __future__ import annotations

import pytest

from hotline.notifications.templates import TEMPLATES, TemplateError, ordered_params, render

WARNING = {
    "number": "2026112600001",
    "unit": "江岸区",
    "clock": "办理",
    "due_at": "2026-11-30 17:30",
}


def test_every_kind_has_a_template():
    assert set(TEMPLATES) >= {
        "acknowledgement",
        "yellow",
        "red",
        "accept_reminder",
        "voice_reminder",
        "follow_up",
    }


def test_acknowledgement_carries_number_and_lookup_link():
    text = render(
        "acknowledgement",
        {"number": "2026112600001", "link": "http://h/portal/lookup?number=2026112600001"},
    )
    assert "工单号2026112600001" in text
    assert "http://h/portal/lookup?number=2026112600001" in text
    assert text.startswith("【12345热线】")  # the city's line unless the row names a centre's


def test_acknowledgement_names_the_registering_centres_line():
    params = {
        "number": "2026112600001",
        "link": "http://h/p",
        "line": "江汉区区长专线 027-80212345",
    }
    assert render("acknowledgement", params).startswith("【江汉区区长专线 027-80212345】")


@pytest.mark.parametrize("name", ["yellow", "red", "accept_reminder", "voice_reminder"])
def test_warning_templates_render_with_the_warning_parameters(name):
    text = render(name, {**WARNING, "title": "ignored extra"})
    assert "2026112600001" in text and "江岸区" in text and "2026-11-30 17:30" in text
    assert "ignored extra" not in text


def test_follow_up_carries_the_rating_link():
    assert "http://h/rate/1" in render("follow_up", {"number": "1", "link": "http://h/rate/1"})


@pytest.mark.parametrize(
    "params", [{"number": "1"}, {"number": "1", "link": ""}, {"number": "1", "link": None}]
)
def test_missing_parameter_names_template_and_parameter(params):
    with pytest.raises(TemplateError) as err:
        render("follow_up", params)
    assert err.value.template == "follow_up"
    assert err.value.param == "link"
    assert str(err.value) == "template 'follow_up': missing parameter 'link'"


def test_unknown_template_is_an_error():
    with pytest.raises(TemplateError, match="'nope': unknown template"):
        render("nope", {})


def test_parameters_in_template_order():
    assert TEMPLATES["yellow"].params == ("unit", "number", "clock", "due_at")
    assert ordered_params("yellow", WARNING) == [
        "江岸区",
        "2026112600001",
        "办理",
        "2026-11-30 17:30",
    ]
