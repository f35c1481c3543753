"""Small numbers (impact.md): a caution mark under 5, and "< 3" masking in funders' exports."""
import csv
import io
import json

from questionnaires.impact.labels import has_caution, ratio_parts, show
from questionnaires.impact.masking import masked_figures


def test_caution_under_five_people_only():
    assert ratio_parts({"n": 3, "of": 4}) == (3, 4, 75, True)
    assert ratio_parts({"n": 3, "of": 5})[3] is False
    assert ratio_parts({"n": 0, "of": 0}) == (0, 0, None, False)
    assert show({"n": 3, "of": 4}) == "3 / 4 — 75 %*"
    assert show({"n": 4, "of": 5}) == "4 / 5 — 80 %"
    assert has_caution({"x": {"n": 1, "of": 2}}) and not has_caution({"x": {"n": 1, "of": 9}})
    assert has_caution({"objectifs": {"obj": {"moyenne": 3.0, "n": 1, "of": 3}}})


def _figures(**changes) -> dict:
    figures = {"participants": 10, "femmes": 4, "hommes": 6, "autres": 0, "age_min": 18,
               "age_max": 60, "moins_26": {"n": 6, "of": 10}, "qpv": {"n": 6, "of": 10}}
    figures.update(changes)
    return figures


def test_counts_of_one_or_two_are_masked_and_zero_or_three_are_kept():
    assert set(masked_figures(_figures())) == {"age_min", "age_max"}  # ages always blanked
    for small in (1, 2):
        masked = masked_figures(_figures(femmes=small, hommes=10 - small))
        assert masked["femmes"].shown == "< 3"
    kept = masked_figures(_figures(femmes=3, hommes=7, autres=0))
    assert "femmes" not in kept and "autres" not in kept
    masked = masked_figures(_figures(qpv={"n": 2, "of": 10}, moins_26={"n": 9, "of": 10}))
    assert masked["qpv"].shown == "< 3"
    assert masked["moins_26"].shown == "masqué"  # its complement (1 person ≥ 26) is small


def test_one_masked_gender_cell_masks_the_next_smallest_one():
    masked = masked_figures(_figures(femmes=1, hommes=5, autres=4))
    assert masked["femmes"].shown == "< 3" and masked["autres"].shown == "masqué"
    assert "hommes" not in masked
    two = masked_figures(_figures(femmes=1, hommes=7, autres=2))
    assert {k for k in two if k in ("femmes", "hommes", "autres")} == {"femmes", "autres"}


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))


def test_funders_exports_mask_on_request_and_json_never(demo, team):
    with demo.app_context():
        from questionnaires.extensions import db
        from questionnaires.models import Participant
        db.session.execute(db.update(Participant).where(Participant.stage_id == 1,
                                                        Participant.first_name.in_(
                                                            ["Ella-Sue", "Océane", "Kenza"]))
                           .values(gender="H"))
        db.session.commit()  # one woman left in the 2021 stage
    plain = {row[0]: row for row in _csv(team.get("/equipe/stages/1/export/impact.csv"))}
    assert plain["femmes"][2] == "1" and plain["age_min"][2] == "18"
    masked = {row[0]: row for row in _csv(team.get("/equipe/stages/1/export/impact.csv?masquer=1"))}
    assert masked["femmes"][2] == "< 3" and masked["femmes"][6] == "masqué (< 3)"
    assert masked["autres"][2] == "masqué"  # the next smallest cell (0), else 10 − 9 gives it
    assert masked["age_min"][2] == "" and masked["age_max"][2] == ""
    across = _csv(team.get("/equipe/impact/export.csv?masquer=1"))
    column = across[0].index("Femmes")
    assert across[1][column] == "< 3"
    result = demo.test_cli_runner().invoke(args=["impact", "--stage", "1", "--format", "csv",
                                                 "--mask-small"])
    assert "masqué (< 3)" in result.output
    figures = json.loads(demo.test_cli_runner().invoke(
        args=["impact", "--stage", "1", "--format", "json"]).output)
    assert figures["femmes"] == 1


def test_not_due_never_sits_in_a_numeric_column(demo, team):
    rows = {row[0]: row for row in _csv(team.get("/equipe/stages/2/export/impact.csv"))}
    assert rows["suivi_reponses"][3:6] == ["", "", ""]
    assert rows["suivi_reponses"][6].startswith("pas encore dû (le ")
    across = _csv(team.get("/equipe/impact/export.csv"))
    header = across[0]
    assert header[3] == "Suivi"
    sport = next(row for row in across if row[1] == "sport-evenementiel")
    assert sport[3].startswith("pas encore dû")
    assert all("pas encore" not in cell for cell in sport[4:])
