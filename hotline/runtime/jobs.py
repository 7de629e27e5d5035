"""The periodic jobs of the platform, fired by ``manage.py run_scheduler`` through
``hotline.core.scheduler`` (which knows the mechanism, not the apps)."""

from __future__ import annotations

from hotline.core.scheduler import Job

JOBS: tuple[Job, ...] = (
    Job("scan_warnings", 15, "hotline.supervision.tasks.scan_warnings"),
    Job("deliver_outbox", 10, "hotline.notifications.tasks.deliver_outbox"),
    Job("insight_retrain", 7 * 24 * 3600, "hotline.insight.tasks.insight_retrain"),
    Job("insight_repeats", 60, "hotline.insight.tasks.insight_repeats"),
    Job("insight_hotspots", 600, "hotline.insight.tasks.insight_hotspots"),
    Job("wechat_progress", 30, "hotline.intake.tasks.wechat_progress"),
    Job("portal_follow_up_links", 60, "hotline.intake.tasks.portal_follow_up_links"),
    Job("assign_reviews", 60, "hotline.feedback.tasks.assign_reviews"),
    Job("voice_follow_ups", 30, "hotline.feedback.tasks.voice_follow_ups"),
    Job("draw_spot_checks", 3600, "hotline.feedback.tasks.draw_spot_checks"),
    Job("assessment_sums_compact", 60, "hotline.assessment.tasks.assessment_sums_compact"),
)
