"""Tests of parvis.sensing: the SensorThings API."""
