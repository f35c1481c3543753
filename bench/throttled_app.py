"""The service as the throttled tablet benchmark serves it: bench_app's app behind a stand-in for
the shipped nginx site's gzip (deploy/nginx/stages.conf), so the bytes a tablet receives are the
ones production sends: HTML of /bilan/ and /suivi/ gzipped when the browser accepts it; static
files are compressed by the app itself (questionnaires/web/assets.py), as nginx does them.
`gunicorn -c gunicorn.conf.py bench.throttled_app:app`. Benchmark only.
"""
import gzip
import re

from bench.bench_app import app as service

GZIPPED_PATHS = re.compile(r"^/(bilan|suivi)/")


class NginxGzip:
    """What `gzip on; gzip_vary on;` does for text/html and JSON on the tablet's paths."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if not (GZIPPED_PATHS.match(environ.get("PATH_INFO", ""))
                and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")):
            return self.wsgi_app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # the app here never calls write()

        body = b"".join(self.wsgi_app(environ, capture))
        headers = captured["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if kind.startswith(("text/html", "application/json")) and len(body) >= 20 and not any(
                k.lower() == "content-encoding" for k, _ in headers):
            body = gzip.compress(body, compresslevel=5)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"),
                        ("Content-Length", str(len(body)))]
        start_response(captured["status"], headers)
        return [body]


service.wsgi_app = NginxGzip(service.wsgi_app)
app = service
