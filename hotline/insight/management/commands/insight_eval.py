"""Evaluate the suggestion model on the fixed split of a labelled CSV.

    python manage.py insight_eval --data messages_labeled.csv [--baseline] [--current]

Trains on the developer side of the fixed split (seed 12345, 20 %, stratified, grouped by
whitespace-free title) and scores the held-out side; with ``--current`` scores the model in
use on the held-out side instead of training. Last line: ``macro_f1=0.XXXX``.
"""

from django.core.management.base import BaseCommand, CommandError

from hotline.insight import classifier
from hotline.insight.data import SPLIT_SEED, read_labeled, split_labeled


class Command(BaseCommand):
    help = "Accuracy, macro-F1 and a per-class table of the category suggestion model."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True)
        parser.add_argument(
            "--baseline", action="store_true", help="also measure plain TF-IDF + LinearSVC"
        )
        parser.add_argument(
            "--current", action="store_true", help="score the model in use instead of training one"
        )
        parser.add_argument("--model-dir")

    def handle(self, *args, **opts):
        train, test = split_labeled(read_labeled(opts["data"]))
        xtr = [classifier.model_text(m.title, m.detail) for m in train]
        xte = [classifier.model_text(m.title, m.detail) for m in test]
        ytr = [m.label for m in train]
        yte = [m.label for m in test]
        self.stdout.write(f"split seed={SPLIT_SEED}: train={len(train)} test={len(test)}")
        if opts["baseline"]:
            base = classifier.train_baseline(xtr, ytr)
            rb = classifier.evaluate(yte, list(base.predict(xte)))
            self.stdout.write(
                f"baseline TF-IDF+LinearSVC: accuracy={rb['accuracy']:.4f} "
                f"macro_f1={rb['macro_f1']:.4f}"
            )
        if opts["current"]:
            model = classifier.load_current(opts["model_dir"])
            if model is None:
                raise CommandError("no model in use; run insight_train first")
        else:
            model = classifier.train(xtr, ytr)
        report = classifier.evaluate(yte, model.predict(xte))
        self.stdout.write(classifier.format_table(report))
        self.stdout.write(f"accuracy={report['accuracy']:.4f}")
        self.stdout.write(f"macro_f1={report['macro_f1']:.4f}")
