"""The positions app's API: ``serializers`` (shapes), ``filters``,
``records`` (the viewsets of topics, conditions and positions), ``exports``
(CSV), ``statements`` and ``semantics`` (matrix, changes, timeline, history).
``config.api_urls`` routes them."""
