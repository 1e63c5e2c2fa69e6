"""Consultations: questionnaires with a scope and dates, one answer per resident."""
