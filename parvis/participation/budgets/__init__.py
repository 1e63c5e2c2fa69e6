"""Participatory budgets: editions, envelopes, projects, secret ballots, counts, results."""
