"""Security headers on every response: CSP without inline scripts, no framing, no referrer leak.

- `script-src 'self'`: every script is a file in static/js; no inline <script>, no on*=
  attributes (templates are checked by a test).
- `style-src 'self'`: no inline style attributes either; the charts (charts.py) and the QR
  codes are SVG drawn with presentation attributes (fill, width…), which CSP does not treat
  as styles. One exception: the team's preview of an e-mail shows the mail's own inline
  styles in a sandboxed iframe (srcdoc inherits the page's policy), so that one page allows
  inline styles, never inline scripts (`allow_inline_styles()`).
- `frame-ancestors 'none'` and X-Frame-Options DENY: no page can be framed (clickjacking).
- `Referrer-Policy: same-origin`: a personal link in the address bar never leaks to another
  site through the Referer header. Not `no-referrer`: behind https, Flask-WTF refuses any
  form post or autosave without a same-origin Referer (WTF_CSRF_SSL_STRICT), so the tablet and
  the referent page must keep sending it to this site (tests/test_headers.py checks both).
"""
from flask import Flask, g

CSP = ("default-src 'self'; script-src 'self'; style-src {style}; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

#: The Referer goes to this site only (see above for why not "no-referrer")
REFERRER_POLICY = "same-origin"


def allow_inline_styles() -> None:
    """For this response only: let inline styles through (the e-mail preview)."""
    g.csp_inline_styles = True


def add_security_headers(response):
    """Set the headers unless a view set its own."""
    style = "'self' 'unsafe-inline'" if g.get("csp_inline_styles") else "'self'"
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP.format(style=style))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
