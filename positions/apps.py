from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "Topics and positions"

    def ready(self):
        from config import lookups

        from . import cache, cells, visibility

        lookups.register()
        cells.connect()
        cache.connect()
        visibility.connect()
