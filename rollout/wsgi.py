import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process: moved out of the
# garbage collector's sight, its occasional full collection walks only what requests leave behind. Each
# such collection walked the whole heap: a pause of ~70 ms in one request out of ten or twenty
# (docs/performance.md, the tracing search).
gc.collect()
gc.freeze()
