"""Production guards (issue 14, item 8): no start with development settings, no demo data,
X-Forwarded-For believed only from the proxy, a warning when gunicorn listens publicly."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from questionnaires import create_app
from questionnaires.web.production import public_bind_warning

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"PUBLIC_URL": "https://stages.example.org", "SECRET_KEY": "k" * 64}


def _start(tmp_path, **env) -> subprocess.CompletedProcess:
    """Import wsgi (as gunicorn does) with FLASK_CONFIG=production and `env`."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("SECRET_KEY", "PUBLIC_URL", "PROXY_HOPS")}
    base.update(FLASK_CONFIG="production", DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite'}",
                **env)
    return subprocess.run([sys.executable, "-c", "from wsgi import app; print('started')"],
                          cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, said", [
    ({"SECRET_KEY": "k" * 64}, "PUBLIC_URL n'est pas réglée"),
    ({"SECRET_KEY": "k" * 64, "PUBLIC_URL": "http://127.0.0.1:5000"}, "PUBLIC_URL n'est pas"),
    ({"SECRET_KEY": "k" * 64, "PUBLIC_URL": "http://stages.example.org"}, "https://"),
    ({"PUBLIC_URL": "https://stages.example.org"}, "SECRET_KEY n'est pas réglée"),
])
def test_production_refuses_to_start_with_development_settings(tmp_path, env, said):
    out = _start(tmp_path, **env)
    assert out.returncode != 0 and "started" not in out.stdout
    assert "Démarrage refusé" in out.stderr and said in out.stderr


def test_production_starts_with_a_real_address_and_key(tmp_path):
    out = _start(tmp_path, **GOOD)
    assert out.returncode == 0 and "started" in out.stdout, out.stderr


def test_demo_load_refuses_to_run_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PROXY_HOPS"}
    env.update(FLASK_CONFIG="production", DATABASE_URL=f"sqlite:///{tmp_path / 'd.sqlite'}", **GOOD)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    assert subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                          timeout=120).returncode == 0
    out = subprocess.run(flask + ["demo", "load"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "Refusé" in out.stderr and "production" in out.stderr
    listing = subprocess.run([sys.executable, "-c", (
        "from wsgi import app\nfrom questionnaires.extensions import db\n"
        "from questionnaires.models import User, Stage\nwith app.app_context():\n"
        "  print(db.session.query(User).count(), db.session.query(Stage).count())")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert listing.stdout.split() == ["0", "0"], listing.stderr


def _seen_from(remote: str) -> dict:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": 1})

    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    return app.test_client().get("/_probe", headers={
        "X-Forwarded-For": "10.6.6.6", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": remote}).get_json()


def test_forwarded_headers_are_believed_only_from_the_proxys_address():
    assert _seen_from("127.0.0.1") == {"addr": "10.6.6.6", "scheme": "https"}
    # A client reaching gunicorn directly cannot choose the address the app sees.
    assert _seen_from("198.51.100.7") == {"addr": "198.51.100.7", "scheme": "http"}


def test_gunicorn_warns_when_bound_to_a_public_address(monkeypatch, capsys):
    assert public_bind_warning(["127.0.0.1:8000"]) is None
    assert public_bind_warning(["[::1]:8000", "unix:/run/stages.sock"]) is None
    for public in ("0.0.0.0:8000", "[::]:8000", ":8000", "203.0.113.5:80"):
        assert "Attention" in public_bind_warning([public]), public
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # read only: nothing is bound
    assert settings["bind"] == "0.0.0.0:8000"
    assert "gunicorn écoute sur 0.0.0.0:8000" in capsys.readouterr().err
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8000")
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert "Attention" not in capsys.readouterr().err
