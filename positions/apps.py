from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "Topics and positions"

    def ready(self):
        from . import cache, cells

        cells.connect()
        cache.connect()
