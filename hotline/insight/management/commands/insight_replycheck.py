"""Score the replies of a CSV (columns of replies.csv) and show the worst and best.

    python manage.py insight_replycheck --data replies.csv [--show 5]

Last line: ``mean_score=NN.N pass_rate=0.XXXX``.
"""

from django.core.management.base import BaseCommand

from hotline.insight.data import parse_time, read_rows
from hotline.insight.replycheck import check_reply
from hotline.insight.text import message_text


def score_rows(path):
    out = []
    for r in read_rows(path):
        check = check_reply(
            message_text(r.get("留言主题"), r.get("留言详情")),
            r.get("答复意见") or "",
            parse_time(r.get("留言时间_iso") or r.get("留言时间")),
            parse_time(r.get("答复时间_iso") or r.get("答复时间")),
        )
        out.append((check, r))
    return out


class Command(BaseCommand):
    help = "Check replies for relevance, completeness and timeliness."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True)
        parser.add_argument("--show", type=int, default=5)

    def handle(self, *args, **opts):
        rows = score_rows(opts["data"])
        rows.sort(key=lambda x: (x[0].score, x[1].get("留言编号", "")))
        n = len(rows)
        mean = sum(c.score for c, _ in rows) / max(1, n)
        passed = sum(c.ok for c, _ in rows) / max(1, n)
        k = opts["show"]
        for title, part in (("worst", rows[:k]), ("best", rows[-k:][::-1])):
            self.stdout.write(f"## {title}")
            for c, r in part:
                reply = " ".join((r.get("答复意见") or "").split())[:120]
                self.stdout.write(
                    f"- {c.score} [{r.get('留言编号', '')}] "
                    f"{(r.get('留言主题') or '').strip()} -> {reply} "
                    f"({'; '.join(c.reasons) or 'no issue'})"
                )
        self.stdout.write(f"replies={n}")
        self.stdout.write(f"mean_score={mean:.1f} pass_rate={passed:.4f}")
