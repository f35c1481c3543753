"""The week itself, without a browser: contacts, "Aujourd'hui", absences to call, "Ma semaine",
and the optional archive keys that carry them."""
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from questionnaires import clock
from questionnaires.archive.schema import validate
from questionnaires.archive.stage import export_stage, import_archive
from questionnaires.extensions import db
from questionnaires.models import (
    Attendance, AttendanceCall, Participant, Referent, ScheduledMail, Slot, Stage,
)
from questionnaires.privacy.anonymise import anonymise_participant
from questionnaires.stages.contacts import normal_email, normal_phone, tel_link
from questionnaires.stages.week import (
    absence_flags, absence_run, note_call, slot_of_the_moment,
)
from tests.support.factories import make_week
from tests.support.forms import post_form

PARIS = ZoneInfo("Europe/Paris")


# Contacts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("0612345678", "06 12 34 56 78"), ("06 12 34 56 78", "06 12 34 56 78"),
    ("06.12.34.56.78", "06 12 34 56 78"), ("06-12-34-56-78", "06 12 34 56 78"),
    ("+33 6 12 34 56 78", "06 12 34 56 78"), ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
    ("0033612345678", "06 12 34 56 78"), (" 01 99 00 10 01 ", "01 99 00 10 01"),
])
def test_french_phone_numbers_are_read_in_every_usual_way(typed, stored):
    assert normal_phone(typed) == stored
    assert tel_link(stored) == "tel:+33" + stored.replace(" ", "")[1:]


@pytest.mark.parametrize("typed", ["appeler Léa", "06 12 34", "061234567890", "6 12 34 56 78",
                                   "+44 20 7946 0958", "00 12 34 56 78", "٠٦١٢٣٤٥٦٧٨", ""])
def test_what_is_not_a_french_phone_number_is_refused(typed):
    assert normal_phone(typed) is None


def test_emails_are_lowercased_and_checked():
    assert normal_email(" Lea.Martin@Example.ORG ") == "lea.martin@example.org"
    for bad in ("lea@", "lea martin@example.org", "@example.org", "lea@example", "x" * 250 + "@a.fr"):
        assert normal_email(bad) is None


@pytest.fixture
def week(app, auth, client):
    """A stage running from yesterday, and a logged-in team member."""
    with app.app_context():
        stage_id = make_week(clock_today(app) - timedelta(days=1))
    auth.login()
    return stage_id


def clock_today(app) -> date:
    with app.app_context():
        return clock.today()


def _participant(app, name: str) -> Participant:
    with app.app_context():
        return db.session.scalar(select(Participant).where(Participant.first_name == name))


@pytest.mark.parametrize("phone, email, message", [
    ("06 12 AB", "", "Numéro de téléphone invalide"),
    ("0612", "", "Numéro de téléphone invalide"),
    ("", "pas-une-adresse", "Adresse e-mail invalide"),
])
def test_a_bad_phone_or_email_is_refused_by_the_field_and_nothing_is_saved(app, client, week,
                                                                          phone, email, message):
    alex = _participant(app, "Alex")
    url = f"/equipe/stages/{week}/participants/{alex.id}"
    response = post_form(client, url, {"first_name": "Alexandre", "gender": "X", "qpv": "inconnu",
                                       "status": "inscrit", "pmsmp": "a_faire", "referent_id": "0",
                                       "phone": phone, "email": email})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'class="error"' in page
    stored = _participant(app, "Alex")
    assert (stored.first_name, stored.phone, stored.email) == \
        ("Alex", "06 39 98 01 01", "alex@example.org")


def test_contacts_are_saved_in_their_normal_form(app, client, week):
    sam = _participant(app, "Sam")
    response = post_form(client, f"/equipe/stages/{week}/participants/{sam.id}", {
        "first_name": "Sam", "gender": "X", "qpv": "inconnu", "status": "inscrit",
        "pmsmp": "a_faire", "referent_id": "0", "phone": "+33 7 12 34 56 78",
        "email": "Sam.Durand@Example.org"})
    assert response.status_code == 302
    stored = _participant(app, "Sam")
    assert (stored.phone, stored.email) == ("07 12 34 56 78", "sam.durand@example.org")
    page = client.get(f"/equipe/stages/{week}/participants").get_data(as_text=True)
    assert 'href="tel:+33712345678"' in page and 'href="mailto:sam.durand@example.org"' in page


def test_slot_hours_must_come_in_pairs_in_order(app, client, week):
    day = clock_today(app).isoformat()
    url = f"/equipe/stages/{week}/programme/{day}/matin"
    base = {"title": "Atelier", "kind": "atelier", "venue_id": "0"}
    for hours, message in (({"start_time": "10:00"}, "ou aucune des deux"),
                           ({"start_time": "11:00", "end_time": "10:00"}, "doit être après l&#39;heure de début"),
                           ({"start_time": "dix heures", "end_time": "12:00"}, "Heure invalide")):
        page = post_form(client, url, {**base, **hours}).get_data(as_text=True)
        assert message in page
    assert post_form(client, url, {**base, "start_time": "09:15", "end_time": "12:00"}).status_code == 302
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.stage_id == week, Slot.key == "j1-am"))
        assert slot.hours == (time(9, 15), time(12, 0))


# The half-day of the moment and absences in a row ----------------------------------------------

def test_the_slot_of_the_moment_is_the_current_then_the_next_then_the_last(app, week):
    with app.app_context():
        stage = db.session.get(Stage, week)
        first_day = stage.start_date

        def at(day_offset, hour, minute=0):
            local = datetime.combine(first_day + timedelta(days=day_offset), time(hour, minute), PARIS)
            return slot_of_the_moment(stage.slots, local.astimezone(timezone.utc), PARIS).key

        assert at(0, 7) == "j0-am"  # before the first: the next one
        assert at(0, 11) == "j0-am"  # 10 h – 12 h 30
        assert at(0, 13) == "j0-pm"  # between the two: the next one
        assert at(0, 14, 30) == "j0-pm"  # its own hours, 14 h 15 – 16 h 45
        assert at(0, 16, 50) == "j1-am"
        assert at(9, 12) == "j4-pm"  # the stage is over: the last one


def test_an_absence_run_counts_marked_slots_and_stops_at_a_presence_or_an_excuse():
    order = [1, 2, 3, 4, 5]
    assert absence_run(order, {1: "absent", 2: "absent"}) == [1, 2]
    assert absence_run(order, {1: "absent", 3: "absent"}) == [1, 3]  # 2 not noted
    assert absence_run(order, {1: "absent", 2: "present", 3: "absent"}) == [3]
    assert absence_run(order, {1: "absent", 2: "excuse", 3: "absent", 4: "absent"}) == [3, 4]
    assert absence_run(order, {2: "absent", 3: "absent", 4: "present"}) == []
    assert absence_run(order, {}) == []


def _mark(client, stage_id, person, slot, status):
    return post_form(client, f"/equipe/stages/{stage_id}/aujourdhui",
                     {"cell": f"{person.id}:{slot.id}:{status}"},
                     page_url=f"/equipe/stages/{stage_id}/aujourdhui?creneau={slot.id}",
                     headers={"Accept": "application/json"})


def _slots(app, stage_id) -> list[Slot]:
    with app.app_context():
        return db.session.get(Stage, stage_id).slots


def test_aujourdhui_shows_where_when_and_who_with_tap_to_call(app, client, week):
    slots = _slots(app, week)
    page = client.get(f"/equipe/stages/{week}/aujourdhui?creneau={slots[1].id}").get_data(as_text=True)
    for text in ("Visite du jour 1", "14 h 15 – 16 h 45", "Cité des métiers de la Semaine",
                 "14 rue Waldeck Rousseau, 94600", "Choisy-le-Roi", "Alex", "Sam", "Inès",
                 'href="tel:+33639980101"', 'href="mailto:ines@example.org"',
                 "Ce créneau est passé"):
        assert text in page
    assert page.count('aria-pressed="false"') == 3 * 4  # four people not yet noted


def test_marking_from_aujourdhui_is_the_grids_data_and_says_a_late_half_day(app, client, week):
    slots, alex = _slots(app, week), _participant(app, "Alex")
    response = _mark(client, week, alex, slots[0], "absent")
    assert response.status_code == 200
    message = response.get_json()["message"]
    assert message.startswith("Alex : absent·e — ") and "matin (créneau passé : noté après coup)" in message
    assert _mark(client, week, alex, slots[0], "absent").status_code == 200  # twice: same result
    with app.app_context():
        assert db.session.scalars(select(Attendance.status)).all() == ["absent"]
    grid = client.get(f"/equipe/stages/{week}/presences").get_data(as_text=True)
    assert f'data-participant="{alex.id}" data-slot="{slots[0].id}" data-status="absent"' in grid
    for bad in (f"{alex.id}:{slots[0].id}:partout", "x:y:z", f"{alex.id}:999999:present"):
        refused = post_form(client, f"/equipe/stages/{week}/aujourdhui", {"cell": bad},
                            page_url=f"/equipe/stages/{week}/aujourdhui",
                            headers={"Accept": "application/json"})
        assert refused.status_code == 400 and "invalide" in refused.get_json()["error"]


def test_two_absences_in_a_row_flag_the_person_with_whom_to_call_until_excused(app, client, week):
    slots, sam = _slots(app, week), _participant(app, "Sam")
    assert _mark(client, week, sam, slots[0], "absent").get_json()["flagged"] == []
    assert _mark(client, week, sam, slots[1], "absent").get_json()["flagged"] == [sam.id]
    for url in (f"/equipe/stages/{week}", f"/equipe/stages/{week}/aujourdhui"):
        page = client.get(url).get_data(as_text=True)
        assert "À appeler : absences de suite" in page and "Sam</strong> : absent·e 2 fois de suite" in page
        assert 'href="tel:+33639980102"' in page  # Sam's phone
        assert "Nadia Référente" in page and 'href="tel:+33199001001"' in page  # the referent's
    response = post_form(client, f"/equipe/stages/{week}/absences/{sam.id}/appel",
                         {"note": "Malade, revient jeudi", "retour": "aujourdhui"},
                         page_url=f"/equipe/stages/{week}/aujourdhui")
    assert response.status_code == 302 and response.headers["Location"].endswith("/aujourdhui")
    people = client.get(f"/equipe/stages/{week}/participants").get_data(as_text=True)
    assert "Appelé·e le" in people and "« Malade, revient jeudi »" in people
    assert _mark(client, week, sam, slots[1], "excuse").get_json()["flagged"] == []
    assert "À appeler" not in client.get(f"/equipe/stages/{week}").get_data(as_text=True)
    with app.app_context():  # the call stays with the attendance
        assert db.session.scalar(select(AttendanceCall.note)) == "Malade, revient jeudi"


def test_people_who_left_are_not_chased_and_a_call_needs_a_run(app, week):
    with app.app_context():
        stage = db.session.get(Stage, week)
        dylan, alex = (db.session.scalar(select(Participant).where(Participant.first_name == n))
                       for n in ("Dylan", "Alex"))
        for slot in stage.slots[:3]:
            for person in (dylan, alex):
                db.session.add(Attendance(participant_id=person.id, slot_id=slot.id,
                                          stage_id=stage.id, status="absent"))
        db.session.commit()
        assert [f.participant.first_name for f in absence_flags(stage)] == ["Alex"]
        assert not note_call(stage, dylan, clock.utcnow(), None)
        assert note_call(stage, alex, clock.utcnow(), "répondeur")
        db.session.commit()
        (flag,) = absence_flags(stage)
        assert flag.call.note == "répondeur" and flag.call.slot_id == stage.slots[2].id


# "Ma semaine" -----------------------------------------------------------------------------------

def test_ma_semaine_prints_a_sheet_per_participant_still_on_the_stage(app, client, week):
    page = client.get(f"/equipe/stages/{week}/ma-semaine").get_data(as_text=True)
    assert page.count('class="week-sheet"') == 3  # Dylan left: no sheet
    for text in ("Ma semaine — Alex", "Atelier du jour 5", "Matin : 10 h – 12 h 30",
                 "Après-midi : 14 h 15 – 16 h 45", "21 avenue Louis Georgeon, 94230",
                 'class="picto picto--kind"', "week-print--a4"):
        assert text in page
    alex = _participant(app, "Alex")
    one = client.get(f"/equipe/stages/{week}/ma-semaine?participant={alex.id}&format=a5")
    assert one.get_data(as_text=True).count('class="week-sheet"') == 1
    assert "week-print--a5" in one.get_data(as_text=True)


@pytest.mark.parametrize("page_format", ["A4", "A5"])
def test_ma_semaine_is_one_pdf_with_a_page_per_participant(client, week, page_format):
    response = client.get(f"/equipe/stages/{week}/ma-semaine.pdf?format={page_format}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.data
    assert data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
    assert len(re.findall(rb"/Type /Page\b", data)) >= 3
    size = {"A4": b"595.28 841.89", "A5": b"419.53 595.28"}[page_format]
    assert size in data


def test_without_its_fonts_the_pdf_sends_back_to_the_printable_page(app, client, week, tmp_path):
    app.config["PDF_FONT_DIR"] = str(tmp_path)
    response = client.get(f"/equipe/stages/{week}/ma-semaine.pdf")
    assert response.status_code == 302 and "/ma-semaine" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Le PDF n&#39;a pas pu être fait" in page and "Enregistrer au format PDF" in page


# The archive's optional keys, the extract, anonymisation ----------------------------------------

def test_contacts_hours_addresses_and_calls_survive_an_archive_round_trip(app, week):
    with app.app_context():
        stage = db.session.get(Stage, week)
        alex = next(p for p in stage.participants if p.first_name == "Alex")
        db.session.add(AttendanceCall(participant_id=alex.id, slot_id=stage.slots[0].id,
                                      stage_id=stage.id, note="rappeler demain",
                                      called_at=datetime(2030, 1, 7, 9, 30, tzinfo=timezone.utc)))
        db.session.commit()
        archive = export_stage(stage)
        people = {p["first_name"]: p for p in archive["participants"]}
        assert (people["Alex"]["phone"], people["Alex"]["email"]) == ("06 39 98 01 01", "alex@example.org")
        assert "email" not in people["Sam"] and "phone" not in people["Inès"]
        assert people["Alex"]["calls"] == {"j0-am": {"at": "2030-01-07T10:30:00+01:00",
                                                     "note": "rappeler demain"}}
        assert archive["slots"][1]["start"] == "14:15" and "start" not in archive["slots"][0]
        assert archive["venues"][0]["address"] and archive["referents"][0]["phone"] == "01 99 00 10 01"
        assert validate(archive) == []
        copy = import_archive(archive)
        db.session.commit()
        again = export_stage(copy)
        assert again["participants"] == archive["participants"] and again["slots"] == archive["slots"]


def test_older_archives_without_the_new_keys_stay_valid_and_bad_values_are_named(app, week):
    with app.app_context():
        archive = export_stage(db.session.get(Stage, week))
    for person in archive["participants"]:
        for key in ("phone", "email", "calls"):
            person.pop(key, None)
    for item in archive["slots"] + archive["venues"] + archive["referents"]:
        for key in ("start", "end", "address", "phone"):
            item.pop(key, None)
    assert validate(archive) == []
    archive["participants"][0]["phone"] = "appelle-moi"
    archive["participants"][1]["email"] = "sam@"
    archive["slots"][0].update({"start": "25:00", "end": "12:00"})
    archive["slots"][1]["start"] = "14:00"
    archive["participants"][0]["calls"] = {"j0-am": {"at": "hier"}}
    errors = "\n".join(validate(archive))
    for path in ("participants[0].phone : numéro de téléphone français attendu",
                 "participants[1].email : adresse e-mail invalide", "slots[0].start : heure HH:MM",
                 "slots[1] : donnez « start » et « end »", "participants[0].calls : appel du créneau"):
        assert path in errors


def test_anonymising_erases_contacts_call_notes_and_evening_messages(app, week):
    with app.app_context():
        stage = db.session.get(Stage, week)
        alex = next(p for p in stage.participants if p.first_name == "Alex")
        db.session.add(AttendanceCall(participant_id=alex.id, slot_id=stage.slots[0].id,
                                      stage_id=stage.id, note="Alex a raté le bus",
                                      called_at=clock.utcnow()))
        db.session.add(ScheduledMail(kind="veille", dedupe_key="veille:test", to_address=alex.email,
                                     subject="Demain", context={"first_name": "Alex"},
                                     due_at=clock.utcnow(), next_attempt_at=clock.utcnow(),
                                     participant_id=alex.id, stage_id=stage.id))
        referent = db.session.scalar(select(Referent))
        db.session.commit()
        assert anonymise_participant(alex, clock.utcnow())
        db.session.commit()
        assert (alex.phone, alex.email) == (None, None)
        assert db.session.scalar(select(AttendanceCall.note)) is None
        assert db.session.scalars(select(ScheduledMail)).all() == []
        assert referent.phone == "01 99 00 10 01"  # still following others
