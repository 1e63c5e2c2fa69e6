"""Sensing: sensors, their observations and actuators, served as OGC SensorThings API."""
