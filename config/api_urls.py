"""The API's URLs: every resource's viewset on one router under /api/v1/,
the shared semantics, and the schema with its self-hosted docs. The one
module that imports every app's API; they import only ``config.api``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from actors.api import ActorViewSet, RoleViewSet
from desk.api import extract_statements
from positions.api.coverage import coverage_view
from positions.api.exports import matrix_export
from positions.api.records import ConditionViewSet, PositionViewSet, TopicViewSet
from positions.api.semantics import changes, history, matrix, timeline
from sources.api import QuoteViewSet, SourceViewSet

from .api import api_docs

router = DefaultRouter()
router.include_root_view = False
router.register("actors", ActorViewSet, basename="actor")
router.register("roles", RoleViewSet, basename="role")
router.register("topics", TopicViewSet, basename="topic")
router.register("conditions", ConditionViewSet, basename="condition")
router.register("sources", SourceViewSet, basename="source")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("positions", PositionViewSet, basename="position")
v1 = [
    path("matrix/", matrix, name="matrix"),
    path("matrix/export/", matrix_export, name="matrix-export"),
    path("timeline/", timeline, name="timeline"),
    path("changes/", changes, name="changes"),
    path("history/", history, name="history"),
    path("coverage/", coverage_view, name="coverage"),
    path("extract/", extract_statements, name="extract"),
    *router.urls,
]
urlpatterns = [
    path("api/v1/", include((v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, {"template": "api/swagger.html"}, name="api-docs"),
    path("api/redoc/", api_docs, {"template": "api/redoc.html"}, name="api-redoc"),
]
