"""Data protection: anonymisation, retention, the audit journal and the public privacy notice."""
