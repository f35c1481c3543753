"""Behind nginx (PROXY_HOPS): the client's address and https come from X-Forwarded-*."""
import os
import subprocess
import sys
from pathlib import Path

from flask import request, url_for

from questionnaires import create_app

ROOT = Path(__file__).resolve().parent.parent
#: What nginx sends with `proxy_add_x_forwarded_for`: a forged value from the client first,
#: then the address nginx saw
HEADERS = {"X-Forwarded-For": "10.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "forged.example"}


def _probe(hops: int) -> dict:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": hops})

    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme,
                "url": url_for("health.health", _external=True)}

    return app.test_client().get("/_probe", headers=HEADERS,
                                 environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()


def test_one_proxy_hop_gives_the_client_address_and_https():
    seen = _probe(1)
    assert seen["addr"] == "203.0.113.9"  # the hop nginx added, not the forged one
    assert seen["scheme"] == "https"
    assert seen["url"] == "https://localhost/health"  # X-Forwarded-Host is not believed


def test_without_a_proxy_the_headers_are_ignored():
    seen = _probe(0)
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "url": "http://localhost/health"}


def test_production_expects_one_proxy_by_default(tmp_path):
    """FLASK_CONFIG=production with no PROXY_HOPS set, as the systemd unit runs it."""
    env = {k: v for k, v in os.environ.items() if k != "PROXY_HOPS"}
    env.update(FLASK_CONFIG="production", SECRET_KEY="x" * 32, PUBLIC_URL="https://stages.example.org",
               DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite'}")
    out = subprocess.run([sys.executable, "-c", "from wsgi import app; "
                          "print(app.config['PROXY_HOPS'], type(app.wsgi_app).__name__)"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["1", "TrustedProxyFix"], out.stderr
