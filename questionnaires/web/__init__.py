"""Shared web glue: error pages, security headers, rate limits, Jinja filters and globals, log masking."""
