"""The service as gunicorn serves it in the page benchmark: `gunicorn -c gunicorn.conf.py bench.bench_app:app`.

Same app as wsgi.py (database and secret from DATABASE_URL and SECRET_KEY), except that rate
limiting is off (RATELIMIT_ENABLED=False, read by Flask-Limiter): 32 connections hammering one
participant's or one referent's link are the point of the benchmark, not an attack. The two
floor routes the pages are measured against (bench/support.py, `add_floor_routes`) are added
here, so they exist only in the benchmark's app.
"""
from bench.support import add_floor_routes
from questionnaires import create_app

app = create_app({"RATELIMIT_ENABLED": False})
add_floor_routes(app)
