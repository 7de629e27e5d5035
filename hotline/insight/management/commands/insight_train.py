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

from hotline.insight import classifier
from hotline.insight.data import read_labeled, split_labeled


def tickets_from_db(limit: int | None = None) -> tuple[list[str], list[str]]:
    """Texts and first-level category names of tickets whose category a dispatcher set."""
    from hotline.tickets.models import Ticket

    qs = (
        Ticket.objects.exclude(category=None)
        .select_related("category__parent__parent")
        .only(
            "title",
            "content",
            "category__name",
            "category__level",
            "category__parent__name",
            "category__parent__level",
            "category__parent__parent__name",
        )
        .order_by("-id")
    )
    texts, labels = [], []
    for t in qs[:limit] if limit else qs.iterator(chunk_size=2000):
        node = t.category
        while node.parent_id is not None and node.level > 1:
            node = node.parent
        texts.append(classifier.model_text(t.title, t.content))
        labels.append(node.name)
    return texts, labels


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
            texts, labels = tickets_from_db(opts["limit"])
            source = "database"
        if len(set(labels)) < 2:
            raise CommandError("need labelled examples of at least two categories")
        current = classifier.load_current(opts["model_dir"]) if opts["if_better"] else None
        if current is not None:
            try:
                verdict = classifier.challenge(current, texts, labels)
            except ValueError as error:  # too few examples left to train a challenger
                raise CommandError(f"kept the model in use: {error}") from error
            scores = (
                f"on the newest {verdict.holdout} tickets, macro-F1 of the model in use "
                f"{verdict.current_f1:.4f}, retrained {verdict.challenger_f1:.4f}"
            )
            if not verdict.challenger_wins:
                raise CommandError(f"kept the model in use: {scores}")
            self.stdout.write(scores)
        model = classifier.train(texts, labels)
        model.info = {"source": str(source), "split": bool(opts["split"])}
        path = classifier.save_model(model, opts["model_dir"], make_current=not opts["no_activate"])
        self.stdout.write(
            f"trained on {model.train_size} messages, {len(model.labels)} classes, "
            f"{model.train_seconds:.1f} s; saved {path}"
        )
        self.stdout.write(f"model={model.version}")
