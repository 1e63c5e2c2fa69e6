"""Mobility: journeys by public transport, walking and cycling, across every operator.

`parvis.mobility.routing` is the pure routing core (a GTFS reader, a flat-array timetable and
RAPTOR compiled with numba); it knows nothing of the database or the web.
"""
