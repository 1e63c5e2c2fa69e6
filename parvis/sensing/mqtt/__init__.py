"""The MQTT transport of the SensorThings API: the bridge that ingests creations in batches,
the access rules of devices and staff, an embedded broker (amqtt) for the default setup and
what production needs from Mosquitto. The storage plugs in through `bridge.Handler`."""
