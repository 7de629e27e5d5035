"""The monthly bulletin (月度通报): Excel and PDF, published or live, with the ranking, the
bottom units, the deductions with their tickets."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from october import MONTH
from openpyxl import load_workbook

from hotline.accounts.models import User
from hotline.assessment import selectors
from hotline.assessment.services import assessment_publish


@pytest.fixture
def published(october):
    assessment_publish(actor=User.objects.get(username="supervisor"), month=MONTH)
    return selectors.publication_latest(MONTH)


@pytest.fixture
def leader_client(client):
    client.force_login(User.objects.get(username="leader"))
    return client


def test_the_excel_bulletin_has_the_ranking_and_the_deductions(published, leader_client):
    response = leader_client.get(f"/ranking/{MONTH}/bulletin/?format=xlsx")
    assert response.status_code == 200
    assert 'filename="bulletin-2026-10-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["通报", "排名", "扣分明细", "典型案例"]
    assert "2026年10月考核通报" in book["通报"]["A1"].value
    ranking = list(book["排名"].iter_rows(values_only=True))
    rows = selectors.published_rows(published, None)
    assert len(ranking) == 1 + len(rows)
    names = {r[2] for r in ranking[1:]}
    assert "市住房和城乡建设局" in names
    # a late transfer costs a point: its unit and tickets are listed
    late = [r for r in rows if r["forwarded_late"]]
    assert late
    deductions = list(book["扣分明细"].iter_rows(values_only=True))[1:]
    for row in late:
        line = next(d for d in deductions if d[0] == row["name"] and d[1] == "转办不及时")
        assert line[2] == row["forwarded_late"]
        assert len(line[4].split("、")) == row["forwarded_late"]


def test_the_pdf_bulletin_has_the_units_in_chinese(published, leader_client, tmp_path):
    response = leader_client.get(f"/ranking/{MONTH}/bulletin/?format=pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils, make browser) is missing")
    path = tmp_path / "b.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026年10月考核通报" in text
    assert "市住房和城乡建设局" in text
    assert "扣分情况" in text


def test_live_and_scoped(october, client):
    client.force_login(User.objects.get(username="jiangan-leader"))
    ok = client.get(f"/ranking/{MONTH}/bulletin/?format=xlsx&live=1&scope=jiangan")
    assert ok.status_code == 200 and "-live.xlsx" in ok["Content-Disposition"]
    ranking = list(load_workbook(BytesIO(ok.content))["排名"].iter_rows(values_only=True))[1:]
    assert {r[2] for r in ranking} == {
        "江岸区大智街道办事处",
        "江岸区一元街道办事处",
        "江岸区车站街道办事处",
    }
    assert client.get(f"/ranking/{MONTH}/bulletin/?format=xlsx&live=1").status_code == 403
    assert client.get(f"/ranking/{MONTH}/bulletin/?scope=hongshan").status_code == 403
    client.force_login(User.objects.get(username="leader"))
    assert client.get(f"/ranking/{MONTH}/bulletin/?format=doc").status_code == 400
    assert client.get(f"/ranking/{MONTH}/bulletin/?format=xlsx&version=9").status_code == 404


def test_the_command_writes_the_file(published, tmp_path):
    out = StringIO()
    target = tmp_path / "b.xlsx"
    call_command("assessment_bulletin", MONTH, "--out", str(target), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == str(target)
    assert load_workbook(target)["排名"].max_row > 90
