"""Importing a stage's participants from the team's spreadsheet: plan, then apply.

`plan_import` reads the file and the database and says what would be created, with every
error; `apply_import` writes that plan. Nothing is written unless the whole file is valid.
"""
import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from questionnaires.stages.enrolment import enrolled_count
from questionnaires.extensions import db
from questionnaires.models import ImportPreview, Participant, Referent, Stage, Structure
from questionnaires.stages.participant_rows import (
    LineError, ParsedSheet, ParticipantRow, read_participants,
)

#: How long a preview can be confirmed (then the file must be sent again)
PREVIEW_KEPT = timedelta(hours=2)


@dataclass
class ImportPlan:
    """What an import would create, and why it cannot if it cannot."""

    rows: list[ParticipantRow] = field(default_factory=list)
    new_structures: list[str] = field(default_factory=list)
    new_referents: list[tuple[str, str, str]] = field(default_factory=list)  # name, email, structure
    notes: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def plan_import(stage: Stage, data: bytes, filename: str, today: date) -> ImportPlan:
    """Read the file and check it against the stage and the known referents."""
    return plan_rows(stage, read_participants(data, filename, today))


def plan_rows(stage: Stage, sheet: ParsedSheet) -> ImportPlan:
    """Check rows already read (at preview, or kept since) against the current data."""
    plan = ImportPlan(rows=sheet.rows, errors=list(sheet.errors))
    if any(error.line is None for error in sheet.errors):
        return plan
    _plan_people(stage, plan)
    _plan_referents(plan)
    adding = sum(1 for row in plan.rows if row.status != "desiste")
    taken = enrolled_count(stage)
    if taken + adding > stage.capacity:
        plan.errors.append(LineError(None, (
            f"Le stage a {stage.capacity} places : {taken} déjà inscrit·e·s + {adding} dans le "
            f"fichier = {taken + adding}. Retirez des lignes, ou augmentez le nombre de places "
            "du stage avant d'importer.")))
    plan.errors.sort(key=lambda e: (e.line or 0))
    return plan


def _plan_people(stage: Stage, plan: ImportPlan) -> None:
    """A person already in the stage (same first name, last name, birth date) is an error."""
    known = {_identity(p.first_name, p.last_name, p.birth_date) for p in stage.participants}
    seen: dict = {}
    for row in plan.rows:
        identity = _identity(row.first_name, row.last_name, row.birth_date)
        if identity in known:
            plan.errors.append(LineError(row.line, (
                f"Ligne {row.line} : {row.first_name} {row.last_name or ''} est déjà inscrit·e "
                "à ce stage. Supprimez cette ligne.").replace("  ", " ")))
        elif identity in seen:
            plan.errors.append(LineError(row.line, (
                f"Ligne {row.line} : même personne qu'à la ligne {seen[identity]}. "
                "Supprimez le doublon.")))
        seen.setdefault(identity, row.line)


def _identity(first: str, last: str | None, born) -> tuple:
    return (first.casefold(), (last or "").casefold(), born)


def _known_referents(rows) -> dict[str, Referent]:
    """The referents a file names that the service already knows, by e-mail, in one query."""
    emails = {row.referent_email for row in rows if row.referent_email}
    if not emails:
        return {}
    found = db.session.scalars(select(Referent).where(Referent.email.in_(emails))
                               .options(selectinload(Referent.structure)))
    return {referent.email: referent for referent in found}


def _plan_referents(plan: ImportPlan) -> None:
    """New structures and referents to create; known referents are reused as they are."""
    structures = {name.casefold() for name in db.session.scalars(select(Structure.name))}
    known = _known_referents(plan.rows)
    for row in plan.rows:
        if row.structure_name and row.structure_name.casefold() not in structures:
            structures.add(row.structure_name.casefold())
            plan.new_structures.append(row.structure_name)
        if not row.referent_email:
            continue
        referent = known.get(row.referent_email)
        if referent is None:
            if row.referent_email not in {email for _, email, _ in plan.new_referents}:
                plan.new_referents.append(
                    (row.referent_name, row.referent_email, row.structure_name))
        elif referent.structure.name.casefold() != (row.structure_name or "").casefold():
            plan.notes.append(
                f"Ligne {row.line} : {referent.name} ({referent.email}) est déjà enregistré·e "
                f"à « {referent.structure.name} » ; cette structure est conservée.")


def apply_import(stage: Stage, plan: ImportPlan) -> list[Participant]:
    """Create what the plan lists; the caller commits."""
    if not plan.ok:
        raise ValueError("an import plan with errors cannot be applied")
    structures = {}
    for name in plan.new_structures:
        structures[name.casefold()] = Structure(name=name)
        db.session.add(structures[name.casefold()])
    for name, email, structure_name in plan.new_referents:
        structure = structures.get(structure_name.casefold()) or db.session.scalar(
            select(Structure).where(func.lower(Structure.name) == structure_name.lower()))
        db.session.add(Referent(name=name, email=email, structure=structure))
    db.session.flush()
    known = _known_referents(plan.rows)
    created = []
    for row in plan.rows:
        referent = known.get(row.referent_email) if row.referent_email else None
        person = Participant(
            stage=stage, first_name=row.first_name, last_name=row.last_name,
            birth_date=row.birth_date, gender=row.gender, city=row.city, qpv=row.qpv,
            referent=referent, status=row.status, pmsmp=row.pmsmp, phone=row.phone,
            email=row.email,
        )
        db.session.add(person)
        created.append(person)
    db.session.flush()
    return created


# --- Between preview and confirmation: the rows read once, kept in the database ------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def row_data(row: ParticipantRow) -> dict:
    """A row as JSON keeps it (dates as ISO text)."""
    data = asdict(row)
    data["birth_date"] = row.birth_date.isoformat() if row.birth_date else None
    return data


def _row(data: dict) -> ParticipantRow:
    born = data.get("birth_date")
    return ParticipantRow(**{**data, "birth_date": date.fromisoformat(born) if born else None})


def keep_preview(stage: Stage, filename: str, plan: ImportPlan, now: datetime) -> str:
    """Keep a valid plan's rows for its confirmation; returns the form's token. Previews older
    than PREVIEW_KEPT, of any stage, are deleted (they hold people's data)."""
    db.session.execute(delete(ImportPreview).where(ImportPreview.created_at < now - PREVIEW_KEPT))
    token = secrets.token_urlsafe(32)
    db.session.add(ImportPreview(token_hash=_hash(token), stage_id=stage.id,
                                 filename=(filename or "")[:255], created_at=now,
                                 rows=[row_data(row) for row in plan.rows]))
    return token


def take_preview(stage: Stage, token: str, now: datetime) -> tuple[str, ParsedSheet] | None:
    """The kept rows of this stage's preview `token` (filename, sheet), taken once: deleted in
    the caller's transaction, so that a second confirmation (double click, two workers) finds
    nothing. None when unknown, another stage's, or older than PREVIEW_KEPT."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    mine = (ImportPreview.token_hash == _hash(token), ImportPreview.stage_id == stage.id,
            ImportPreview.created_at >= now - PREVIEW_KEPT)
    kept = db.session.scalar(select(ImportPreview).where(*mine))
    if kept is None:
        return None
    filename, rows = kept.filename, kept.rows
    if db.session.execute(delete(ImportPreview).where(*mine)).rowcount != 1:
        return None  # another request took it meanwhile
    try:
        return filename, ParsedSheet(rows=[_row(row) for row in rows], errors=[])
    except (TypeError, ValueError):
        return None
