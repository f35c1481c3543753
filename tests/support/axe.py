"""axe-core in the browser tests: the accessibility rules a page breaks, read in Chromium.

axe-core comes inside the `axe-playwright-python` wheel (requirements.txt), as one file
(`axe.min.js`, Mozilla Public License 2.0). The app's Content-Security-Policy forbids injected
scripts (`script-src 'self'`), so a page checked here must come from a browser context opened
with `bypass_csp=True` (TOOLING.md); the CSP itself is tested apart (test_csp_browser.py).
"""
from pathlib import Path

import axe_playwright_python

AXE_JS = Path(axe_playwright_python.__file__).resolve().parent / "axe.min.js"
#: The impacts that fail a test; "moderate" and "minor" ones are reported, not failed
BLOCKING = ("serious", "critical")
#: Experimental rules worth holding to: a button whose visible text is not in its accessible
#: name cannot be named by voice control ("Tous présents" was read "Tout le monde présent…")
EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}


def violations(page) -> list[dict]:
    """Every axe violation of the page as it is now (dialogs open, errors shown…)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (rules) => (await axe.run(document, {resultTypes: ['violations'],
                                                      rules: rules})).violations""",
        EXTRA_RULES)


def blocking(page, where: str = "") -> list[str]:
    """The serious and critical violations, one readable line each (rule, impact, elements)."""
    lines = []
    for found in violations(page):
        if found["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in found["nodes"][:4])
            more = len(found["nodes"]) - 4
            lines.append(f"{where or page.url}: {found['id']} ({found['impact']}, "
                         f"{len(found['nodes'])}×) {found['help']} — {targets}"
                         + (f" (+{more})" if more > 0 else ""))
    return lines
