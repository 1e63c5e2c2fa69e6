"""FROST's own Python client (`frost-sta-client`) against Parvis served by a real uvicorn: the
end-to-end example of the SensorThings notes (§4), as a city developer would run it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import frost_sta_client as fsc
import pytest
import requests
from frost_sta_client.model.ext.data_array_document import DataArrayDocument
from frost_sta_client.model.ext.data_array_value import DataArrayValue
from frost_sta_client.model.ext.unitofmeasurement import UnitOfMeasurement
from geojson import Point

from parvis.kernel.auth import Role, User
from tests.conftest import PASSWORD

T0 = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
# the client's own use of furl, not ours
pytestmark = pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")


@pytest.fixture
def service(live_url: str, make_user: Callable[..., User]) -> fsc.SensorThingsService:
    member = make_user(Role.STAFF)
    handler = fsc.AuthHandler(username=member.email, password=PASSWORD)
    return fsc.SensorThingsService(f"{live_url}/sta/v1.1", auth_handler=handler)


def make_datastream(service: fsc.SensorThingsService) -> tuple[fsc.Thing, fsc.Datastream]:
    loc = fsc.Location(
        name="Lamp post 42",
        description="Rue de Rivoli",
        encoding_type="application/geo+json",
        location=Point((2.3522, 48.8566)),
    )
    thing = fsc.Thing(
        name="Air quality station 42", description="NO2 box", properties={"district": "75001"}
    )
    thing.locations = [loc]
    service.create(thing)  # POST /Things, deep insert of the Location
    sensor = fsc.Sensor(
        name="NO2 cell",
        description="electrochemical",
        encoding_type="application/pdf",
        metadata="https://example.org/no2.pdf",
    )
    service.create(sensor)
    op = fsc.ObservedProperty(
        name="NO2",
        definition="http://vocab.nerc.ac.uk/collection/P01/current/CONCNO20/",
        description="Nitrogen dioxide",
    )
    service.create(op)
    ds = fsc.Datastream(
        name="NO2 @ 42",
        description="hourly NO2",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=UnitOfMeasurement(
            name="microgram per cubic metre",
            symbol="ug/m3",
            definition="http://qudt.org/vocab/unit/MicroGM-PER-M3",
        ),
        thing=thing,
        sensor=sensor,
        observed_property=op,
    )
    service.create(ds)  # the Thing, Sensor and ObservedProperty travel whole: links by @iot.id
    return thing, ds


def test_the_notes_example(service: fsc.SensorThingsService) -> None:
    thing, ds = make_datastream(service)
    assert all(isinstance(e.id, int) for e in (thing, ds))
    for i in range(3):
        obs = fsc.Observation(
            result=20.0 + i, phenomenon_time=T0 + datetime.timedelta(hours=i), datastream=ds
        )
        service.create(obs)  # the FeatureOfInterest comes from the Location
        assert isinstance(obs.id, int)
    dav = DataArrayValue()
    dav.datastream = ds
    dav.components = {DataArrayValue.Property.PHENOMENON_TIME, DataArrayValue.Property.RESULT}
    for i in range(3, 6):
        dav.add_observation(
            fsc.Observation(
                result=20.0 + i, phenomenon_time=T0 + datetime.timedelta(hours=i), datastream=ds
            )
        )
    dad = DataArrayDocument()
    dad.add_data_array_value(dav)
    created = service.observations().create(dad)  # POST /CreateObservations
    assert len(created) == 3
    assert all("/Observations(" in o.self_link for o in created)

    # one Location, one generated FeatureOfInterest for all six
    assert len(service.locations().query().list().entities) == 1
    assert len(service.features_of_interest().query().list().entities) == 1

    found = (
        service.datastreams()
        .find(ds.id)
        .get_observations()
        .query()
        .filter("result gt 20 and phenomenonTime ge 2024-05-01T00:00:00Z")
        .orderby("phenomenonTime", "asc")
        .select("result", "phenomenonTime")
        .top(2)
        .count()
        .list()
    )
    assert found.count == 5
    assert found.next_link is not None and found.next_link.startswith("http://127.0.0.1:")
    rows = [(o.phenomenon_time, o.result) for o in found]  # follows @iot.nextLink
    assert [r for _, r in rows] == [21.0, 22.0, 23.0, 24.0, 25.0]
    times = [datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t, _ in rows]
    assert times == [T0 + datetime.timedelta(hours=h) for h in range(1, 6)]

    newest = service.observations().query().orderby("phenomenonTime").top(1).list()
    assert [o.result for o in newest.entities] == [25.0]  # the client's default order is DESC

    things = service.things().query().expand("Locations,Datastreams($expand=ObservedProperty)")
    [listed] = things.list().entities
    assert listed.name == "Air quality station 42"
    assert [loc.name for loc in listed.locations.entities] == ["Lamp post 42"]
    [stream] = listed.datastreams.entities
    assert stream.observed_property.name == "NO2"
    assert stream.unit_of_measurement.symbol == "ug/m3"


def test_update_patch_and_delete(service: fsc.SensorThingsService) -> None:
    thing, ds = make_datastream(service)
    service.create(fsc.Observation(result=1, phenomenon_time=T0, datastream=ds))

    found = service.things().find(thing.id)
    assert found.properties == {"district": "75001"}
    found.name = "Station 42 (renamed)"
    service.update(found)  # PUT with the whole entity
    again = service.things().find(thing.id)
    assert again.name == "Station 42 (renamed)"
    assert again.description == "NO2 box"
    assert len(again.get_locations().query().list().entities) == 1

    patches = [
        {"op": "replace", "path": "/description", "value": "patched"},
        {"op": "add", "path": "/properties/owner", "value": "DVD"},
    ]
    service.patch(again, patches)  # JSON Patch: the client has no merge PATCH
    patched = service.things().find(thing.id)
    assert patched.description == "patched"
    assert patched.properties == {"district": "75001", "owner": "DVD"}

    ds.description = "hourly NO2, validated"
    service.update(ds)  # PUT: the Thing, Sensor and ObservedProperty it carries are links
    assert service.datastreams().find(ds.id).description == "hourly NO2, validated"
    assert len(service.things().query().list().entities) == 1

    service.delete(ds)
    with pytest.raises(requests.exceptions.HTTPError) as error:
        service.datastreams().find(ds.id)
    assert error.value.response.status_code == 404
    assert service.observations().query().list().entities == []
    service.delete(thing)
    assert service.things().query().list().entities == []


def test_reads_are_open_and_writes_need_an_account(live_url: str) -> None:
    anonymous = fsc.SensorThingsService(f"{live_url}/sta/v1.1")
    assert anonymous.things().query().list().entities == []
    with pytest.raises(requests.exceptions.HTTPError) as error:
        anonymous.create(fsc.Thing(name="t", description="d"))
    assert error.value.response.status_code == 401
    wrong = fsc.SensorThingsService(
        f"{live_url}/sta/v1.1", auth_handler=fsc.AuthHandler("nobody@example.org", "x")
    )
    with pytest.raises(requests.exceptions.HTTPError) as error:
        wrong.create(fsc.Thing(name="t", description="d"))
    assert error.value.response.status_code == 401
