"""What the tests share besides conftest.py, loaded as pytest plugins by tests/conftest.py.

system      the machine: PostgreSQL or not (skip, or fail when required), free ports, `flask db`
factories   apps, accounts and stages to follow up (and the `sent` stage fixture)
forms       posting a form as a browser does: `post_form`, `csrf_token`
mail        a real SMTP server on 127.0.0.1 (the `smtp` fixture)
queries     reading the database from a test: counting queries, a demo participant
browser     Debian's Chromium driven by Playwright: `chromium`, `screen`, `tab`, `site`, `shots`
tablet      the tablet bilan in that browser: `person` and the moves of a participant
security    a demo "world" of actors (`world`), real URLs, checks of what the database holds
hostile     hostile values, forms filled with them, and what every answer must keep to
spreadsheets  participant spreadsheets (CSV, XLSX) built in memory, and what to read in them

followup_worker.py is not imported: the race tests run it as a process of its own.
"""
