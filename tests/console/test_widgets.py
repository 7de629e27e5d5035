"""The quick selects write what Django's own select widgets write (whitespace aside)."""

import re

from django import forms

from hotline.console.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [("", "—"), ("a", "甲 <A>"), ("b", 'B "quoted"')]
GROUPED = [("", "—"), ("城管", [("c1", "占道经营"), ("c2", "噪音 & 油烟")]), ("d", "其他")]


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def _both(field_class, choices, quick, plain, data, **kw):
    class Form(forms.Form):
        mine = field_class(choices=choices, widget=quick(attrs={"data-filter": "筛选"}), **kw)
        theirs = field_class(choices=choices, widget=plain(attrs={"data-filter": "筛选"}), **kw)

    form = Form(data, auto_id="id_%s")
    mine = _squeeze(form["mine"]).replace('name="mine"', "").replace("id_mine", "ID")
    theirs = _squeeze(form["theirs"]).replace('name="theirs"', "").replace("id_theirs", "ID")
    return mine, theirs


def test_a_select_with_a_chosen_value_and_escaped_labels_matches_django():
    mine, theirs = _both(
        forms.ChoiceField, CHOICES, QuickSelect, forms.Select, {"mine": "a", "theirs": "a"}
    )
    assert mine == theirs
    assert '<option value="a" selected>甲 &lt;A&gt;</option>' in mine


def test_groups_match_django():
    mine, theirs = _both(
        forms.ChoiceField, GROUPED, QuickSelect, forms.Select, {"mine": "c2", "theirs": "c2"}
    )
    assert mine == theirs
    assert '<optgroup label="城管">' in mine


def test_a_multiple_select_keeps_every_chosen_value_and_reads_the_list_back():
    data = {"mine": ["a", "b"], "theirs": ["a", "b"]}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    mine, theirs = _both(
        forms.MultipleChoiceField,
        CHOICES[1:],
        QuickSelectMultiple,
        forms.SelectMultiple,
        query,
        required=False,
    )
    assert mine == theirs
    assert mine.count(" selected") == 2
