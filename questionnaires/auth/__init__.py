"""Who may come in: the login pages, the lockout, `admin_required`, account creation and its commands."""
