"""Residents' proposals: submitted, supported, discussed, merged and answered by the city."""
