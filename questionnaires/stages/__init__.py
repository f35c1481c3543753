"""A stage's own rules: enrolment and capacity, attendance, the programme, the participants import."""
