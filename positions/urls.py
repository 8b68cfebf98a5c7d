from django.urls import path

from . import coverage, feeds, map_page, matrix_page, views

app_name = "positions"

urlpatterns = [
    path("", matrix_page.matrix, name="matrix"),
    path("map/", map_page.stance_map, name="map"),
    path("totals/", matrix_page.totals, name="totals"),
    path("cells/<slug:actor_slug>/<slug:topic_slug>/", views.cell, name="cell"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/trend/", views.topic_trend, name="topic_trend"),
    path("conditions/", views.conditions, name="conditions"),
    path("coverage/", coverage.coverage_page, name="coverage"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.feed, name="feed"),
]
