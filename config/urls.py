import os

from django.contrib import admin
from django.urls import include, path

from positions import about

from . import api_urls

admin.site.site_header = "Ceasefire Positions — editors"
admin.site.site_title = "Ceasefire Positions"
admin.site.index_title = "Actors, sources, quotes and positions"

urlpatterns = [
    # Configurable so a public deployment need not advertise /admin/.
    path(os.environ.get("DJANGO_ADMIN_URL", "admin/"), admin.site.urls),
    *api_urls.urlpatterns,
    path("desk/", include("desk.urls")),
    path("about/method/", about.method, name="method"),
    path("actors/", include("actors.urls")),
    path("sources/", include("sources.urls")),
    path("", include("positions.urls")),
]

handler404 = "config.api.not_found"
