"""Every write on city projects; each commits, then publishes its event."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.events import TargetChanged
from parvis.kernel.geojson import dump_geometry
from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import lazy
from parvis.kernel.storage import store_image
from parvis.projects.labels import STATUS_LABELS, status_label
from parvis.projects.models import JournalEntry, Project, ProjectPlace, Status, StatusChange
from parvis.projects.schemas import JournalEntryCreate, ProjectCreate, ProjectUpdate

TARGET = "project"


def project_link(project_id: int) -> str:
    return f"/projects/{project_id}"


def _get(db: Session, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise NotFound(_("No such project."))
    return project


def create_project(db: Session, author: User | None, data: ProjectCreate) -> Project:
    """A new project at the idea stage; `author` is None when the platform creates it."""
    fields = data.model_dump(exclude={"arrondissements", "geometry"})
    project = Project(
        **fields,
        geometry=dump_geometry(data.geometry),
        created_by=author.id if author else None,
        status=Status.IDEA,
    )
    project.places = [ProjectPlace(arrondissement=n) for n in data.arrondissements]
    db.add(project)
    db.flush()
    db.add(
        StatusChange(
            project_id=project.id,
            from_status=None,
            to_status=Status.IDEA,
            changed_by=author.id if author else None,
            changed_by_name=author.display_name if author else "Parvis",
            note="",
        )
    )
    db.commit()
    return project


def update_project(db: Session, project_id: int, data: ProjectUpdate) -> Project:
    project = _get(db, project_id)
    changes = data.model_dump(exclude_unset=True, exclude={"geometry"})
    if "geometry" in data.model_fields_set:
        changes["geometry"] = dump_geometry(data.geometry)
    if "arrondissements" in changes:
        numbers = changes.pop("arrondissements") or []
        project.places = [ProjectPlace(arrondissement=n) for n in numbers]
    for required in ("title", "summary", "department"):
        if required in changes and changes[required] is None:
            raise InvalidInput(_("This field cannot be empty: %(field)s") % {"field": required})
    for field, value in changes.items():
        setattr(project, field, value if value is not None or field != "description" else "")
    start, end = project.start_date, project.end_date
    if start and end and end < start:
        raise InvalidInput(_("The end date is before the start date."))
    db.commit()
    return project


def change_status(
    ctx: Context, db: Session, actor: User, project_id: int, target: Status, note: str = ""
) -> Project:
    project = _get(db, project_id)
    current = Status(project.status)
    if not current.can_move_to(target):
        raise InvalidInput(
            _("A project moves forward, or back by one stage; not from %(a)s to %(b)s.")
            % {"a": status_label(current), "b": status_label(target)}
        )
    project.status = target
    db.add(
        StatusChange(
            project_id=project.id,
            from_status=current,
            to_status=target,
            changed_by=actor.id,
            changed_by_name=actor.display_name,
            note=note.strip()[:400],
        )
    )
    db.commit()
    ctx.events.publish(
        TargetChanged(
            TARGET,
            project.id,
            lazy("“%(title)s” is now at stage: %(status_label)s"),
            {"title": project.title, "status_label": STATUS_LABELS[target]},
            project_link(project.id),
        )
    )
    return project


def post_journal_entry(
    ctx: Context, db: Session, author: User, project_id: int, data: JournalEntryCreate
) -> JournalEntry:
    project = _get(db, project_id)
    entry = JournalEntry(
        project_id=project.id,
        title=data.title,
        body=data.body,
        author_id=author.id,
        author_name=author.display_name,
    )
    db.add(entry)
    db.commit()
    ctx.events.publish(
        TargetChanged(
            TARGET,
            project.id,
            lazy("News of “%(title)s”: %(entry)s"),
            {"title": project.title, "entry": entry.title},
            project_link(project.id) + f"#journal-{entry.id}",
        )
    )
    return entry


def forget_author(ctx: Context, user_id: int) -> None:
    """On account deletion: staff names on journals and history are replaced."""
    from sqlalchemy import update

    with ctx.sessions() as db:
        db.execute(
            update(JournalEntry)
            .where(JournalEntry.author_id.is_(None), JournalEntry.author_name != "—")
            .values(author_name="—")
        )
        db.execute(
            update(StatusChange)
            .where(StatusChange.changed_by.is_(None), StatusChange.changed_by_name != "—")
            .values(changed_by_name="—")
        )
        db.commit()


def set_project_image(ctx: Context, db: Session, project_id: int, data: bytes, alt: str) -> Project:
    """Store the image first, then point the project at it: a failed upload changes nothing."""
    project = _get(db, project_id)
    key, alt = store_image(ctx.storage, f"projects/{project.id}", data, alt)
    old_key, project.image_key, project.image_alt = project.image_key, key, alt
    db.commit()
    if old_key:
        ctx.storage.delete(old_key)
    return project


def remove_project_image(ctx: Context, db: Session, project_id: int) -> Project:
    project = _get(db, project_id)
    old_key, project.image_key, project.image_alt = project.image_key, None, ""
    db.commit()
    if old_key:
        ctx.storage.delete(old_key)
    return project
