from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("save/", views.save, name="save"),
    path("entered/<int:pk>/", views.entered, name="entered"),
    path("statement/", views.statement_row, name="statement"),
    path("check-url/", views.check_url, name="check_url"),
    path("queue/", views.review_queue, name="queue"),
    path("queue/<int:pk>/", views.decide, name="decide"),
]
