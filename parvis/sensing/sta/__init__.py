"""OGC SensorThings API v1.1 (OGC 18-088, + Tasking 17-079): data model and request parsing."""
