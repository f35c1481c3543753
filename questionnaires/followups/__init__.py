"""The referents' follow-up mails: the plan, the dispatch pass with its claims and leases, the
messages, each invitation's status, the scheduler and its heartbeat, and the `flask` commands.
The referent's own page is in `questionnaires.referent`."""
