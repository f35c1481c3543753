"""Production guards: settings that must never reach production with their development values,
and the proxy headers believed only from the proxies themselves.

Production is `FLASK_CONFIG=production` (config.ProductionConfig sets PRODUCTION). What is
checked there is what a forgotten line of `.env` would silently get wrong: links mailed to
referents pointing at 127.0.0.1 or at plain http, and a SECRET_KEY generated on the machine
(a second server, or a restored machine, would make another one and kill every link).
"""
import ipaddress
from urllib.parse import urlsplit

from werkzeug.middleware.proxy_fix import ProxyFix

#: PUBLIC_URL when nobody set it (config.Config): fine for `make run`, never for production
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def production_problems(config, environ) -> list[str]:
    """What stops a production start, in French; empty when the settings are fit."""
    problems = []
    public_url = (config.get("PUBLIC_URL") or "").strip()
    parts = urlsplit(public_url)
    if public_url.rstrip("/") == DEFAULT_PUBLIC_URL or not public_url:
        problems.append("PUBLIC_URL n'est pas réglée : les liens envoyés aux référent·es "
                        "pointeraient vers 127.0.0.1. Indiquez l'adresse publique du service "
                        "(exemple : PUBLIC_URL=https://stages.example.org).")
    elif parts.scheme != "https" or not parts.hostname:
        problems.append(f"PUBLIC_URL doit commencer par https:// (reçu « {public_url} ») : "
                        "les liens personnels ne doivent jamais circuler en clair.")
    if not (config.get("SECRET_KEY") or environ.get("SECRET_KEY")):
        problems.append("SECRET_KEY n'est pas réglée : créez-en une (python3 -c 'import secrets; "
                        "print(secrets.token_hex(32))') et mettez-la dans le fichier .env.")
    return problems


def check_production(config, environ) -> None:
    """Refuse to start in production with a setting that would put people at risk."""
    if not config.get("PRODUCTION"):
        return
    problems = production_problems(config, environ)
    if problems:
        raise SystemExit("Démarrage refusé (FLASK_CONFIG=production) :\n- "
                         + "\n- ".join(problems))


def _is_local(host: str) -> bool:
    """Whether a bound host is the loopback only ("" and 0.0.0.0 mean every interface)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public address


def public_bind_warning(binds) -> str | None:
    """A French warning when gunicorn listens on an address other clients can reach."""
    binds = [binds] if isinstance(binds, str) else list(binds)
    public = [b for b in binds if not b.startswith(("unix:", "fd://"))
              and not _is_local(b.rsplit(":", 1)[0] if ":" in b else b)]
    if not public:
        return None
    return (f"Attention : gunicorn écoute sur {', '.join(public)}, une adresse joignable depuis "
            "le réseau. Le service doit être derrière le proxy TLS (nginx) sur 127.0.0.1 : "
            "en direct, rien n'est chiffré. X-Forwarded-For n'est cru que des adresses de "
            "PROXY_ADDRESSES (le proxy) ; les autres clients sont vus tels quels.")


class TrustedProxyFix:
    """ProxyFix applied only to requests that come from one of the proxies' addresses.

    ProxyFix alone believes the last `hops` X-Forwarded-For entries whoever connects: a client
    reaching gunicorn directly (bound to a public address by mistake) could pick any address,
    and so escape the rate limits and sign the audit journal with a false one.
    """

    def __init__(self, app, hops: int, addresses: set[str]):
        self.app, self.addresses = app, addresses
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.addresses:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
