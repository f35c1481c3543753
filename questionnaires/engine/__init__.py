"""The questionnaire engine: definitions, answers (checked, and read from a post) and the one
renderer of questions.

Nothing here knows about stages or people: the participant, referent and team pages give it
definitions and raw answers, and get back clean answers, errors and HTML.
"""
