"""Rules for text typed by people, shared by forms, answers, archives and imports."""
import re

# Control characters other than tab and newlines never belong in an answer.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
