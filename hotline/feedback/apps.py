from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "hotline.feedback"
    label = "feedback"
    verbose_name = "回访与评价"

    def ready(self) -> None:
        # The review action's structured verdict: the four judgements are checked and recorded,
        # and the evaluator's assignment closed, in the review's own transaction.
        from hotline.tickets.extensions import after_register, warning_notices_register

        from .reviews import review_step, review_warning_notices

        after_register("review", review_step)
        # The review clock's yellow and red warnings go to the assigned evaluator (and, red or
        # unassigned, to the evaluators' coordinators) through the warning scanner.
        warning_notices_register("review", review_warning_notices)
