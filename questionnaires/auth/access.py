"""Who may do what: the team works on stages, admins also manage accounts, purge and audit.

Team pages are guarded by the team blueprint's `before_request` (login required). Pages
that only admins may open add `@admin_required` on top: a logged-in team member gets a
French 403, an anonymous visitor the login page.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def admin_required(view):
    """Only a logged-in admin may open `view`."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded
