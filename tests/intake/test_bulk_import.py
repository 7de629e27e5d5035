"""``import_tickets`` end to end on small files in both formats: rows registered through the
registration service, a re-run changes nothing, bad rows listed with their number and reason,
a row that fails halfway leaves nothing of itself."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from openpyxl import Workbook

from hotline.intake.bulk import services as bulk_services
from hotline.intake.models import ImportedRow
from hotline.tickets.models import Ticket

TEDDY_HEADER = [
    "row_id",
    "留言编号",
    "留言主题",
    "留言时间",
    "留言详情",
    "一级标签",
    "留言时间_iso",
]
TEDDY_ROWS = [
    [
        "tc20c-00001",
        "",
        "A3区路灯不亮",
        "",
        "\n\t\t路灯坏了一周\n\t",
        "城乡建设",
        "2019-04-25T09:32:09",
    ],
    ["tc20c-00002", "", "", "", "", "环境保护", ""],  # nothing to register
    [
        "tc20c-00003",
        "",
        "建议增设公交线路",
        "",
        "多线\n换乘不便",
        "交通运输",
        "2018-01-02T08:00:00",
    ],
    ["tc20c-00004", "", "孩子入学", "", "怎么办？", "教育文体", "昨天下午"],  # bad time
    ["tc20c-00005", "", "噪音扰民", "", "夜间施工", "环境保护", ""],  # no time: now
]


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, mapping: str, *extra) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_tickets", str(path), "--mapping", mapping, *extra, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines(), err.getvalue()


def test_import_registers_rows_and_lists_the_bad_ones(tmp_path):
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS)
    lines, err = run(path, "teddycup")
    assert lines[-1] == "imported=3 failed=2 skipped=0"
    assert "row 3: no title and no text" in lines
    assert any(line.startswith("row 5: unreadable time") for line in lines)
    assert "row/s" in err or "it/s" in err  # the progress bar
    imported = ImportedRow.objects.get(source_key="tc20c-00001")
    ticket = imported.ticket
    assert (imported.row_number, imported.file_name) == (2, "messages_labeled.csv")
    assert ticket.channel == "transfer" and ticket.status == "registered"
    assert ticket.registered_by.username == "import"
    assert ticket.content == "路灯坏了一周"
    assert ticket.category.name == "城乡建设" and ticket.category.level == 1
    assert ticket.registered_at.isoformat() == "2019-04-25T01:32:09+00:00"
    assert ticket.events.get().action == "register"
    suggestion = ImportedRow.objects.get(source_key="tc20c-00003").ticket
    assert suggestion.kind == "suggestion"


def test_a_re_run_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS)
    run(path, "teddycup")
    before = (Ticket.objects.count(), ImportedRow.objects.count())
    lines, _ = run(path, "teddycup")
    assert lines[-1] == "imported=0 failed=2 skipped=3"
    assert (Ticket.objects.count(), ImportedRow.objects.count()) == before


def test_a_row_that_fails_halfway_leaves_nothing(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS)
    real = ImportedRow.objects.create

    def create(**kwargs):
        if kwargs["source_key"] == "tc20c-00003":
            raise IntegrityError("disk full, say")
        return real(**kwargs)

    monkeypatch.setattr(ImportedRow.objects, "create", create)
    lines, _ = run(path, "teddycup")
    assert "row 4: disk full, say" in lines
    assert lines[-1] == "imported=2 failed=3 skipped=0"
    assert not Ticket.objects.filter(title="建议增设公交线路").exists()
    monkeypatch.undo()
    lines, _ = run(path, "teddycup")  # the row comes in on the next run
    assert lines[-1] == "imported=1 failed=2 skipped=2"
    assert Ticket.objects.filter(title="建议增设公交线路").count() == 1


def test_a_row_the_registration_refuses_is_listed(tmp_path):
    path = write_csv(
        tmp_path / "old.csv",
        ["id", "channel", "kind", "content", "region"],
        [
            ["1", "fax", "help", "求助", ""],
            ["2", "phone", "help", "求助", "atlantis"],
            ["3", "phone", "help", "求助", "jiangan"],
        ],
    )
    lines, _ = run(path, "generic")
    assert lines[-1] == "imported=1 failed=2 skipped=0"
    assert lines[0].startswith("row 2: channel: must be one of")
    assert lines[1] == "row 3: region: no region with code 'atlantis'"
    assert Ticket.objects.get().region.code == "jiangan"


def test_excel_files_import_the_same_way(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Unique Key",
            "Created Date",
            "Agency",
            "Agency Name",
            "Complaint Type",
            "Descriptor",
            "Incident Address",
            "Open Data Channel Type",
            "Latitude",
            "Longitude",
        ]
    )
    sheet.append(
        [
            41000001,
            "01/02/2019 08:15:00 AM",
            "DSNY",
            "Sanitation",
            "Dirty Conditions",
            "Trash",
            "1 MAIN ST",
            "PHONE",
            40.7,
            -73.9,
        ]
    )
    sheet.append(
        [
            41000002,
            "not a date",
            "DOT",
            "Transportation",
            "Street Light Condition",
            "Out",
            "",
            "MOBILE",
            "",
            "",
        ]
    )
    sheet.append([None, None, None, None, None, None, None, None, None, None])  # blank row
    path = tmp_path / "nyc.xlsx"
    book.save(path)
    lines, _ = run(path, "nyc311")
    assert lines[-1] == "imported=1 failed=1 skipped=0"
    assert lines[0].startswith("row 3: unreadable time")
    ticket = ImportedRow.objects.get(source_key="41000001").ticket
    assert (ticket.channel, ticket.kind, ticket.address) == ("phone", "complaint", "1 MAIN ST")
    assert ticket.lat == pytest.approx(40.7)


def test_a_file_of_the_wrong_kind_is_refused(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="only .csv and .xlsx"):
        run(bad, "generic")
    fake = tmp_path / "x.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        run(fake, "generic")
    with pytest.raises(CommandError, match="no file"):
        run(tmp_path / "missing.csv", "generic")


def test_the_wrong_mapping_fails_every_row_with_the_reason(tmp_path):
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS[:2])
    lines, _ = run(path, "nyc311")
    assert lines[-1] == "imported=0 failed=2 skipped=0"
    assert "not an NYC 311 export" in lines[0]


@pytest.mark.parametrize(
    "folder, name, mapping",
    [
        ("teddycup2020c", "messages_labeled.csv", "teddycup"),
        ("teddycup2020c", "replies.csv", "teddycup"),
        ("teddycup2020c", "hotspot_messages.csv", "teddycup"),
        ("nyc311_sample", "nyc311_sample.csv", "nyc311"),
    ],
)
def test_the_shared_data_files_import(folder, name, mapping):
    path = Path(settings.HOTLINE_SHARED_DATA) / folder / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    lines, _ = run(path, mapping, "--limit", "30", "--no-progress")
    assert lines[-1] == "imported=30 failed=0 skipped=0"
    assert ImportedRow.objects.count() == 30


def test_the_import_actor_is_an_integration_user():
    user = bulk_services.import_actor()
    assert bulk_services.import_actor().pk == user.pk
    assert set(user.memberships.values_list("role", flat=True)) == {"integration"}


def test_the_admin_imports_an_upload_and_lists_bad_rows(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from hotline.accounts.models import User

    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    listing = client.get("/admin/intake/importedrow/")
    assert "/admin/intake/importedrow/upload/" in listing.content.decode()
    upload = SimpleUploadedFile("messages_labeled.csv", path.read_bytes(), content_type="text/csv")
    response = client.post(
        "/admin/intake/importedrow/upload/", {"file": upload, "mapping": "teddycup"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "imported=3 failed=2 skipped=0" in html
    assert "no title and no text" in html
    again = client.post(
        "/admin/intake/importedrow/upload/",
        {
            "file": SimpleUploadedFile("messages_labeled.csv", path.read_bytes()),
            "mapping": "teddycup",
        },
    )
    assert "imported=0 failed=2 skipped=3" in again.content.decode()
    assert Ticket.objects.count() == 3


def test_the_admin_upload_refuses_other_files_and_other_roles(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from hotline.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    response = client.post(
        "/admin/intake/importedrow/upload/",
        {"file": SimpleUploadedFile("x.json", b"{}"), "mapping": "generic"},
    )
    assert "只能导入 .csv 或 .xlsx 文件" in response.content.decode()
    agent = User.objects.get(username="agent")
    agent.is_staff = True
    agent.save()
    other = Client()
    other.force_login(agent)
    assert other.get("/admin/intake/importedrow/upload/").status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("batch", ["2", "50"])
def test_batches_commit_the_good_rows_and_leave_nothing_of_a_failing_one(
    tmp_path, monkeypatch, batch
):
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, TEDDY_ROWS)
    real = ImportedRow.objects.create

    def create(**kwargs):
        if kwargs["source_key"] == "tc20c-00003":
            raise IntegrityError("disk full, say")
        return real(**kwargs)

    monkeypatch.setattr(ImportedRow.objects, "create", create)
    lines, _ = run(path, "teddycup", "--batch", batch)
    assert lines[-1] == "imported=2 failed=3 skipped=0"
    assert "row 4: disk full, say" in lines
    assert not Ticket.objects.filter(title="建议增设公交线路").exists()
    assert set(ImportedRow.objects.values_list("source_key", flat=True)) == {
        "tc20c-00001",
        "tc20c-00005",
    }
    monkeypatch.undo()
    lines, _ = run(path, "teddycup", "--batch", batch)
    assert lines[-1] == "imported=1 failed=2 skipped=2"
    assert Ticket.objects.count() == 3


def test_a_repeated_key_in_one_batch_is_skipped(tmp_path):
    rows = [TEDDY_ROWS[0], TEDDY_ROWS[0], TEDDY_ROWS[2]]
    path = write_csv(tmp_path / "messages_labeled.csv", TEDDY_HEADER, rows)
    lines, _ = run(path, "teddycup", "--batch", "10")
    assert lines[-1] == "imported=2 failed=0 skipped=1"
    assert Ticket.objects.count() == 2
