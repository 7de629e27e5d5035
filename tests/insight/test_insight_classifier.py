import json

import numpy as np
import pytest

from hotline.insight import classifier as c
from hotline.insight.data import read_labeled, split_labeled

CORPUS = {
    "城乡建设": [
        "小区物业乱收费",
        "小区电梯坏了没人修",
        "拆迁补偿不合理",
        "违章建筑没人管",
        "小区停水三天",
        "物业不作为",
        "房屋质量问题",
        "老旧小区改造",
    ],
    "教育文体": [
        "学校乱收补课费",
        "幼儿园学位不够",
        "教师工资拖欠",
        "学生课业负担重",
        "中学择校收费",
        "学校食堂问题",
        "小学划片不合理",
        "图书馆开放时间",
    ],
    "交通运输": [
        "公交线路调整",
        "出租车拒载",
        "道路红绿灯故障",
        "公交车晚点严重",
        "快递乱收费",
        "网约车不安全",
        "客运站秩序差",
        "公交站台太远",
    ],
}


@pytest.fixture(scope="module")
def small_model():
    texts, labels = [], []
    for label, items in CORPUS.items():
        for t in items:
            texts.append(c.model_text(t, f"我要反映{t}，请领导重视。"))
            labels.append(label)
    return c.train(texts, labels, calibration_folds=3)


def test_suggest_top3_sorted_with_probabilities(small_model):
    out = c.suggest("我们小区物业乱收费，电梯也坏了", model=small_model)
    assert [s.category for s in out][0] == "城乡建设"
    assert len(out) == 3
    confs = [s.confidence for s in out]
    assert confs == sorted(confs, reverse=True)
    assert 0.99 <= sum(confs) <= 1.01


def test_unit_and_leaf_from_parameters(small_model):
    cat = c.Catalogue(
        [c.Leaf("交通运输", "出租车管理", "网约车问题"), c.Leaf("交通运输", "其他", "其他")]
    )
    units = {
        "交通运输/出租车管理/网约车问题": "U-TAXI",
        "交通运输": "U-TRANSPORT",
        "城乡建设": "U-HOUSING",
    }
    out = c.suggest(
        "网约车问题：司机绕路", title="网约车绕路", model=small_model, unit_map=units, catalogue=cat
    )
    assert out[0].category == "交通运输"
    assert out[0].leaf == "交通运输/出租车管理/网约车问题"
    assert out[0].unit == "U-TAXI"
    other = {s.category: s for s in out}
    assert other["城乡建设"].unit == "U-HOUSING" and other["城乡建设"].leaf is None


def test_fast_path_equals_library_path(small_model):
    texts = [c.model_text("公交车晚点", "每天都晚点"), c.model_text("学校补课", ""), "完全无关的词"]
    slow = small_model.clf.predict_proba(small_model.features(texts))
    fast = np.array([small_model.fast.predict_proba(t) for t in texts])
    assert np.allclose(slow, fast, atol=1e-6)


def test_no_model_means_no_suggestions(tmp_path):
    assert c.suggest("任何内容", model=c.load_current(tmp_path)) == []


def test_versioned_files_manifest_and_rollback(small_model, tmp_path):
    first = c.save_model(small_model, tmp_path)
    second = c.save_model(small_model, tmp_path, metrics={"macro_f1": 0.5})
    assert first != second and first.name.startswith("suggest-")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["current"] == second.name and len(manifest["models"]) == 2
    assert c.load_current(tmp_path).labels == small_model.labels
    c.set_current(first.name, tmp_path)
    assert c.current_name(tmp_path) == first.name
    with pytest.raises(FileNotFoundError):
        c.set_current("suggest-missing.pkl", tmp_path)
    loaded = c.load_model(first)
    assert c.suggest("出租车拒载", model=loaded)[0].category == "交通运输"


def test_evaluate_reports_macro_f1_and_table():
    report = c.evaluate(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    assert round(report["macro_f1"], 4) == round((2 / 3 + 0.8) / 2, 4)
    assert "| a |" in c.format_table(report)


def test_real_data_titles_subset_learns(data_dir):
    """Trained on 2,000 real titles, the model clearly beats chance (7 classes) on held-out."""
    train, test = split_labeled(read_labeled(data_dir / "messages_labeled.csv"))
    train, test = train[::3], test[::3]
    model = c.train([c.model_text(m.title) for m in train], [m.label for m in train])
    report = c.evaluate(
        [m.label for m in test], model.predict([c.model_text(m.title) for m in test])
    )
    assert report["macro_f1"] > 0.7
