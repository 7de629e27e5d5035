"""The management commands work from a CSV alone and end with a machine-readable line."""

import csv
import io

import pytest

try:
    from django.core.management import call_command
except Exception:  # pragma: no cover - Django not importable
    pytest.skip("Django not available", allow_module_level=True)

LABELLED = {
    "城乡建设": [
        "小区物业乱收费",
        "小区电梯坏了",
        "拆迁补偿不合理",
        "违章建筑没人管",
        "小区停水",
        "物业不作为",
        "房屋质量问题",
        "老旧小区改造",
        "小区绿化被毁",
        "楼顶漏水",
    ],
    "教育文体": [
        "学校乱收补课费",
        "幼儿园学位不够",
        "教师工资拖欠",
        "学生课业负担重",
        "中学择校",
        "学校食堂问题",
        "小学划片",
        "图书馆开放时间",
        "体育馆收费",
        "学区房划分",
    ],
}


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.fixture
def labelled_csv(tmp_path):
    rows = [[t, f"我想反映{t}的情况", label] for label, ts in LABELLED.items() for t in ts]
    path = tmp_path / "labelled.csv"
    _write(path, ["留言主题", "留言详情", "一级标签"], rows)
    return path


def test_train_and_eval(labelled_csv, tmp_path):
    lines = _run("insight_train", "--data", str(labelled_csv), "--model-dir", str(tmp_path / "m"))
    assert lines[-1].startswith("model=suggest-")
    assert (tmp_path / "m" / "manifest.json").is_file()
    lines = _run("insight_eval", "--data", str(labelled_csv), "--baseline")
    assert lines[-1].startswith("macro_f1=") and 0 <= float(lines[-1].split("=")[1]) <= 1
    assert any(line.startswith("| 城乡建设 |") for line in lines)


def test_hotspots_command(tmp_path):
    path = tmp_path / "hot.csv"
    rows = [
        [
            str(i),
            f"u{i}",
            "A7县伊景园滨河苑捆绑销售车位",
            "开发商捆绑销售车位",
            f"2019-08-0{i + 1}T10:00:00",
            "3",
            "0",
        ]
        for i in range(4)
    ]
    _write(
        path,
        ["留言编号", "留言用户", "留言主题", "留言详情", "留言时间_iso", "点赞数", "反对数"],
        rows,
    )
    lines = _run("insight_hotspots", "--data", str(path))
    assert lines[-1] == "hotspots=1" and "滨河苑" in lines[2]


def test_replycheck_command(tmp_path):
    path = tmp_path / "replies.csv"
    rows = [
        [
            "1",
            "某路路灯不亮",
            "某路路灯坏了",
            "您好，已收悉。",
            "2019-01-01T00:00:00",
            "2019-03-01T00:00:00",
        ],
        [
            "2",
            "某路路灯不亮",
            "某路路灯坏了",
            "经核实，某路路灯因线路老化损坏，根据维护计划已于1月3日修复，如有问题请致电12345。",
            "2019-01-01T00:00:00",
            "2019-01-03T00:00:00",
        ],
    ]
    _write(
        path, ["留言编号", "留言主题", "留言详情", "答复意见", "留言时间_iso", "答复时间_iso"], rows
    )
    lines = _run("insight_replycheck", "--data", str(path), "--show", "1")
    assert lines[-1].startswith("mean_score=") and "pass_rate=0.5000" in lines[-1]
    assert lines[1].startswith("- ") and "[1]" in lines[1]
