"""Venues, partner structures and referents: shared by every stage."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from wtforms.fields.choices import SelectChoice

from questionnaires.extensions import db
from questionnaires.models import Referent, Structure, Venue
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ReferentForm, StructureForm, VenueForm
from questionnaires.team.lookup import object_or_404


def structure_choices() -> list[SelectChoice]:
    structures = db.session.scalars(select(Structure).order_by(Structure.name)).all()
    return [SelectChoice(0, "— Choisir une structure —")] + [SelectChoice(s.id, s.name) for s in structures]


def _duplicate(model, obj_id: int | None, **criteria) -> bool:
    """Whether another row already has these values (case-insensitive on text).

    SQLite's lower() only folds ASCII ("ÉCOLE" stays "ÉCOLE"), so the exact value is matched
    too: otherwise the unique constraint, not this check, would meet the duplicate (a 500).
    """
    query = select(model.id)
    for column, value in criteria.items():
        stored = getattr(model, column)
        query = query.where(or_(func.lower(stored) == value.lower(), stored == value))
    if obj_id is not None:
        query = query.where(model.id != obj_id)
    return db.session.scalar(query.limit(1)) is not None


# Venues -------------------------------------------------------------------------------------

@bp.route("/lieux")
def venues():
    """Every venue, cultural ones first."""
    rows = db.session.scalars(select(Venue).order_by(Venue.kind, Venue.name)).all()
    return render_template("team/venues.html", venues=rows)


@bp.route("/lieux/nouveau", methods=["GET", "POST"])
@bp.route("/lieux/<int:venue_id>", methods=["GET", "POST"])
def venue_edit(venue_id: int | None = None):
    """Create or edit a venue."""
    venue = object_or_404(Venue, venue_id, "Ce lieu") if venue_id else None
    form = VenueForm(obj=venue)
    if form.validate_on_submit():
        name, city = form.name.data.strip(), (form.city.data or "").strip()
        if _duplicate(Venue, venue_id, name=name, city=city):
            form.name.errors.append("Ce lieu existe déjà dans cette ville.")
        else:
            venue = venue or Venue()
            venue.name, venue.city, venue.kind = name, city, form.kind.data
            venue.address = (form.address.data or "").strip() or None
            db.session.add(venue)
            db.session.commit()
            flash(f"Lieu « {venue.name} » enregistré.", "success")
            return redirect(url_for("team.venues"))
    return render_template("team/simple_form.html", form=form,
                           title="Modifier un lieu" if venue else "Nouveau lieu",
                           back=url_for("team.venues"))


# Structures and referents -------------------------------------------------------------------

@bp.route("/structures")
def structures():
    """Partner structures with their referents."""
    rows = db.session.scalars(select(Structure).order_by(Structure.name)).all()
    return render_template("team/structures.html", structures=rows)


@bp.route("/structures/nouvelle", methods=["GET", "POST"])
@bp.route("/structures/<int:structure_id>", methods=["GET", "POST"])
def structure_edit(structure_id: int | None = None):
    """Create or edit a partner structure."""
    structure = object_or_404(Structure, structure_id, "Cette structure") if structure_id else None
    form = StructureForm(obj=structure)
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _duplicate(Structure, structure_id, name=name):
            form.name.errors.append("Une structure porte déjà ce nom.")
        else:
            structure = structure or Structure()
            structure.name, structure.city = name, (form.city.data or "").strip() or None
            db.session.add(structure)
            db.session.commit()
            flash(f"Structure « {structure.name} » enregistrée.", "success")
            return redirect(url_for("team.structures"))
    return render_template("team/simple_form.html", form=form,
                           title="Modifier une structure" if structure else "Nouvelle structure",
                           back=url_for("team.structures"))


@bp.route("/referents/nouveau", methods=["GET", "POST"])
@bp.route("/referents/<int:referent_id>", methods=["GET", "POST"])
def referent_edit(referent_id: int | None = None):
    """Create or edit a referent (a social worker of a partner structure)."""
    referent = object_or_404(Referent, referent_id, "Ce·tte référent·e") if referent_id else None
    form = ReferentForm(obj=referent)
    form.structure_id.choices = structure_choices()
    if request.method == "GET" and referent is None:
        form.structure_id.data = request.args.get("structure", 0, type=int)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _duplicate(Referent, referent_id, email=email):
            form.email.errors.append("Un·e référent·e utilise déjà cette adresse e-mail.")
        else:
            referent = referent or Referent()
            referent.name, referent.email = form.name.data.strip(), email
            referent.structure_id = form.structure_id.data
            referent.phone = form.phone.data or None
            db.session.add(referent)
            db.session.commit()
            flash(f"Référent·e « {referent.name} » enregistré·e.", "success")
            return redirect(url_for("team.structures") + f"#structure-{referent.structure_id}")
    return render_template("team/simple_form.html", form=form,
                           title="Modifier un·e référent·e" if referent else "Nouveau·elle référent·e",
                           back=url_for("team.structures"))
