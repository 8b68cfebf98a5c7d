import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# What is loaded so far (Django, the apps, their models) lives as long as the
# process: set aside from the garbage collector, whose full collections
# otherwise walk it all again, in the middle of some reader's request (at
# 1M positions the topic page's 95th percentile was 98 ms against a median
# of 51 ms; 60 ms with this).
gc.collect()
gc.freeze()

# A young-generation collection every 50,000 new objects, not 700. A heavy
# page makes ~10,000 live objects while it is built (rows, statements,
# markers); at 700 the collector ran a dozen times inside each such request,
# scanning them and moving them to older generations to be scanned again
# (4-7 ms of the topic page and the compare view at 1M positions). What a
# request leaves behind is freed by reference counting once its page is
# written (config.templates breaks the one cycle that held it), so the
# collector now runs about once in a hundred heavy requests.
gc.set_threshold(50_000)
