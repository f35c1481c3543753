"""The printable report renders in a real Chromium to an A4 PDF (saved under tests/artifacts/)."""
import pytest

from questionnaires.impact.report.document import HEADINGS
from tests.support.browser import ARTIFACTS, log_in


@pytest.mark.browser
def test_the_report_prints_to_a_pdf(demo, chromium, site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "rapport-stage-2021.pdf"
    target.unlink(missing_ok=True)
    page = chromium.new_page(locale="fr-FR")
    try:
        log_in(page, site, "equipe@example.org", "demo-stages-2021")
        page.goto(f"{site}/equipe/stages/1/rapport")
        assert page.locator("h1").inner_text() == "Bilan du stage de remobilisation professionnelle"
        headings = page.locator(".report-page h2").all_inner_texts()
        for heading in HEADINGS:
            assert any(h.startswith(heading) for h in headings), heading
        # No chart label is cut or overflows its drawing: every text fits in the viewBox
        overflow = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
            const width = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].filter(t =>
                t.getComputedTextLength() > width - Number(t.getAttribute('x')) + 0.5
            ).map(t => t.textContent);
        })""")
        assert overflow == []
        assert page.locator("svg.chart").count() >= 4
        labels = page.evaluate("() => [...document.querySelectorAll('svg.chart text')]"
                               ".map(t => t.textContent)")
        assert "Observations des référent·e·s" in page.content() and "…" not in "".join(labels)
        page.emulate_media(media="print")
        assert not page.locator("header.topbar").is_visible()  # the print sheet hides menus
        page.pdf(path=str(target), format="A4", print_background=True)
    finally:
        page.close()
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
