"""Posting a form as a browser does: open the page that holds it, send it with its CSRF token."""
import re

#: The token as Flask-WTF prints it (hidden_tag() puts the type first; hand-written inputs not)
CSRF_INPUT = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
#: Options saying where a request comes from: the page is opened from the same place
SAME_PLACE = ("base_url", "environ_base")


def csrf_token(page) -> str:
    """The CSRF token printed in a page (a test client's response, or the page's HTML)."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, page_url: str | None = None,
              **options):
    """Open the page of the form (`page_url`, else `url`), then post `data` to `url` with the
    page's CSRF token, as a browser submits it.

    `options` go to the post (headers, follow_redirects, content_type…); `base_url` and
    `environ_base` go to the page too, so that both requests come from the same place.
    """
    place = {name: options[name] for name in SAME_PLACE if name in options}
    page = client.get(page_url or url, **place)
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(page)}, **options)
