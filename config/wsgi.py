import gc
import os

from django.core.wsgi import get_wsgi_application

from config.callstack import with_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Why with_room: each request on a frame-stack chunk of its own, which spares the admin changelist
# hundreds of mmap/munmap calls a request on Python 3.11 (config/callstack.py).
application = with_room(get_wsgi_application())

from config.folders import make_folders  # noqa: E402  (settings are configured above)

make_folders()

# Why: what is loaded by now (Django, the apps, their models) lives as long as the process. Frozen,
# the garbage collector stops scanning it in every full collection; measured on the computed
# dashboard, the collector's time per request fell from about 1.0 ms to 0.6 ms.
gc.freeze()
