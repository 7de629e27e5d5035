"""NB-SVM, the classifier inside the suggestion model (see docs/insight.md)."""

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from hotline.insight import classifier as c


def _toy(n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    rows, labels = [], []
    for k in range(n_classes):
        for _ in range(12):
            x = rng.rand(20) * (rng.rand(20) < 0.3)
            x[k * 3 : k * 3 + 3] += 1.0  # class-specific features
            rows.append(x)
            labels.append(f"c{k}")
    return sp.csr_matrix(np.array(rows)), np.array(labels)


def test_nbsvm_is_a_linear_model_with_the_ratios_folded_in():
    X, y = _toy()
    m = c.NBSVM(C=1.0, alpha=1.0).fit(X, y)
    assert m.coef_.shape == (3, 20) and m.intercept_.shape == (3,)
    # the same decision as the per-class SVM on features scaled by the log-count ratio
    present = X.copy()
    present.data[:] = 1
    pos = y == "c1"
    p = 1 + np.asarray(present[pos].sum(0)).ravel()
    q = 1 + np.asarray(present[~pos].sum(0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    svm = LinearSVC(C=1.0, random_state=0).fit(X.multiply(r).tocsr(), pos.astype(int))
    assert np.allclose(m.decision_function(X)[:, 1], svm.decision_function(X.multiply(r).tocsr()))
    assert (m.predict(X) == y).mean() > 0.9


def test_nbsvm_two_classes_gives_one_score_and_calibrates():
    X, y = _toy(n_classes=2)
    m = c.NBSVM().fit(X, y)
    assert m.decision_function(X).ndim == 1 and list(m.classes_) == ["c0", "c1"]
    cal = CalibratedClassifierCV(c.NBSVM(), method="sigmoid", cv=3, ensemble=False).fit(X, y)
    proba = cal.predict_proba(X)
    assert np.allclose(proba.sum(1), 1) and (cal.predict(X) == y).mean() > 0.9


def test_model_trained_with_nbsvm_and_fast_path_agree():
    texts = [
        c.model_text(t)
        for t in [
            "公交晚点",
            "公交拒载",
            "公交改线",
            "学校收费",
            "学校补课",
            "学校食堂",
            "物业收费",
            "物业电梯",
            "物业停水",
        ]
    ]
    labels = ["交通运输"] * 3 + ["教育文体"] * 3 + ["城乡建设"] * 3
    model = c.train(texts, labels, calibration_folds=3)
    assert isinstance(model.clf.calibrated_classifiers_[0].estimator, c.NBSVM)
    for t in ["公交车晚点了", "学校乱收费", "无关"]:
        slow = model.clf.predict_proba(model.features([t]))[0]
        assert np.allclose(model.top(t, 3)[0][1], slow.max(), atol=1e-6)
