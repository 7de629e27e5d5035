"""Train the category suggestion model and make it the one in use.

    python manage.py insight_train --data messages_labeled.csv [--split] [--model-dir DIR]
    python manage.py insight_train            # from tickets' final categories in the database
    python manage.py insight_train --if-better   # the same, kept only if it beats the model in use

With ``--if-better`` (the weekly job), the newest 20 % of the tickets are held out, a
challenger is trained on the rest, and the model in use is replaced only when the challenger
scores at least its macro-F1 on them; otherwise the command fails with both scores and the
model in use stays.

Last line: ``model=suggest-YYYYMMDDHHMMSS``.
"""

from django.core.management.base import BaseCommand, CommandError

from hotline.core.errors import BadInput
from hotline.insight import classifier
from hotline.insight.data import read_labeled, split_labeled
from hotline.insight.selectors import training_examples
from hotline.insight.services import TOO_FEW_CLASSES, ModelKept, model_train


class Command(BaseCommand):
    help = "Train the category suggestion model (from a CSV or from dispatched tickets)."

    def add_arguments(self, parser):
        parser.add_argument("--data", help="CSV with the columns of messages_labeled.csv")
        parser.add_argument(
            "--split",
            action="store_true",
            help="train on the developer side of the fixed split only",
        )
        parser.add_argument("--model-dir", help="folder of model files (HOTLINE_MODEL_DIR)")
        parser.add_argument("--limit", type=int, help="newest N tickets only (database)")
        parser.add_argument(
            "--if-better",
            action="store_true",
            help="database only: replace the model in use only if a model trained on the older"
            " tickets scores at least as well on the newest 20%% (macro-F1)",
        )
        parser.add_argument(
            "--no-activate",
            action="store_true",
            help="save the file but keep the current model in use",
        )

    def handle(self, *args, **opts):
        if opts["if_better"] and opts["data"]:
            raise CommandError("--if-better compares on the newest tickets: use it without --data")
        if opts["data"]:
            msgs = read_labeled(opts["data"])
            if opts["split"]:
                msgs, _ = split_labeled(msgs)
            texts = [classifier.model_text(m.title, m.detail) for m in msgs]
            labels = [m.label for m in msgs]
            source = opts["data"]
        else:
            texts, labels = training_examples(opts["limit"])
            source = "database"
        try:
            trained = model_train(
                texts=texts,
                labels=labels,
                source=str(source),
                split=bool(opts["split"]),
                model_dir=opts["model_dir"],
                activate=not opts["no_activate"],
                if_better=opts["if_better"],
            )
        except BadInput as error:
            raise CommandError(TOO_FEW_CLASSES) from error
        except ModelKept as error:
            raise CommandError(str(error)) from error
        if trained.scores:
            self.stdout.write(trained.scores)
        self.stdout.write(
            f"trained on {trained.train_size} messages, {trained.classes} classes, "
            f"{trained.seconds:.1f} s; saved {trained.path}"
        )
        self.stdout.write(f"model={trained.version}")
