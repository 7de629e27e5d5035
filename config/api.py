"""The API root: /api/v1/."""

from ninja import NinjaAPI

from hotline.accounts.api import BearerAuth
from hotline.accounts.api import router as accounts_router
from hotline.assessment.api import router as assessment_router
from hotline.core.api import install_error_handlers
from hotline.feedback.api import router as feedback_router
from hotline.insight.api import router as insight_router
from hotline.intake.api import router as intake_router
from hotline.knowledge.api import router as knowledge_router
from hotline.notifications.api import router as notifications_router
from hotline.orgs.api import router as orgs_router
from hotline.supervision.api import router as supervision_router
from hotline.telephony.api import router as telephony_router
from hotline.tickets.api import router as tickets_router

api = NinjaAPI(
    title="Hotline API",
    version="1",
    description="12345 citizen hotline: tickets, lifecycle actions, org tree and catalogue.",
    auth=BearerAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", tickets_router)
api.add_router("", orgs_router)
api.add_router("", insight_router)
api.add_router("", notifications_router)
api.add_router("", supervision_router)
api.add_router("", assessment_router)
api.add_router("", intake_router)
api.add_router("", feedback_router)
api.add_router("", telephony_router)
api.add_router("", knowledge_router)
