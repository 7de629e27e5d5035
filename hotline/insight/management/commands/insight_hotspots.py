"""List hot spots of a message CSV (columns of hotspot_messages.csv).

    python manage.py insight_hotspots --data hotspot_messages.csv [--days 90] [--top 10]

Last line: ``hotspots=N``.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from hotline.insight.data import parse_time, read_rows
from hotline.insight.hotspots import HotMessage, hot_spots


def _int(v) -> int:
    try:
        return int(float(v or 0))
    except ValueError:
        return 0


def read_hot_messages(path) -> list[HotMessage]:
    return [
        HotMessage(
            id=r.get("留言编号") or str(i),
            title=r.get("留言主题") or "",
            detail=r.get("留言详情") or "",
            user=r.get("留言用户") or "",
            time=parse_time(r.get("留言时间_iso") or r.get("留言时间")),
            likes=_int(r.get("点赞数")),
            dislikes=_int(r.get("反对数")),
        )
        for i, r in enumerate(read_rows(path))
    ]


class Command(BaseCommand):
    help = "Rank hot spots (clusters by topic and place) of a message CSV."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True)
        parser.add_argument("--days", type=int, help="window ending at the latest message")
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args, **opts):
        window = timedelta(days=opts["days"]) if opts["days"] else None
        spots = hot_spots(read_hot_messages(opts["data"]), window, top=opts["top"])
        self.stdout.write(
            "| rank | heat | place | messages | citizens | likes | growth | from | to | examples |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|---|---|---|")
        for s in spots:
            ex = " / ".join(e.replace("|", "¦") for e in s.examples[:2])
            self.stdout.write(
                f"| {s.rank} | {s.heat:.2f} | {s.place} | {s.count} | {s.citizens} | {s.likes} "
                f"| {s.growth:.2f} | {s.start:%Y-%m-%d} | {s.end:%Y-%m-%d} | {ex} |"
                if s.start
                else f"| {s.rank} | {s.heat:.2f} | {s.place} | {s.count} | {s.citizens} | {s.likes} "
                f"| {s.growth:.2f} | | | {ex} |"
            )
        self.stdout.write(f"hotspots={len(spots)}")
