from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = "知识库"

    def ready(self) -> None:
        from hotline.tickets.extensions import after_register

        from .services import article_use_record

        # answer_directly may name the published article the agent answered from.
        after_register("answer_directly", article_use_record)
