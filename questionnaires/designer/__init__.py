"""The team's questionnaires: versions in the database, drafts, validation, publishing, CLI.

`store.py` reads and writes the versions (optimistic lock on drafts), `validation.py` lists a
definition's faults with their place, `editing.py` applies the pages' small edits to a draft's
dict, `yamlio.py` reads and writes the YAML files, `commands.py` is `flask questionnaires`.
The pages themselves are in team/questionnaires*.py.
"""
