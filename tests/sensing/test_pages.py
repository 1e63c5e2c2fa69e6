"""The public pages of the sensing domain: the map and list of Things, one Thing (a sensor, an
actuator with its capabilities and tasks), a Datastream's chart, its table and its CSV."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from parvis.sensing.models import (
    Actuator,
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Task,
    TaskingCapability,
    Thing,
    ThingLocation,
)

MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
UG_M3 = {
    "name": "microgram per cubic metre",
    "symbol": "µg/m³",
    "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3",
}
MG_M3 = {
    "name": "milligram per cubic metre",
    "symbol": "mg/m³",
    "definition": "http://qudt.org/vocab/unit/MilliGM-PER-M3",
}
# 720 hourly NOx values from midnight, 1 January 2025, Paris time (UTC+1 all month).
FIRST_HOUR = datetime(2024, 12, 31, 23, tzinfo=UTC)
HOURS = 720
# 2,200 CO values every 15 minutes: more than a chart draws, so they are averaged.
CO_START = datetime(2025, 1, 1, 0, tzinfo=UTC)
CO_COUNT = 2200
BRIGHTNESS = {
    "type": "DataRecord",
    "field": [
        {
            "name": "brightness",
            "label": "Intensité",
            "description": "Intensité lumineuse demandée",
            "type": "Count",
            "uom": {"code": "%"},
            "constraint": {"type": "AllowedValues", "interval": [[0, 100]]},
        },
        {
            "name": "mode",
            "label": "Mode",
            "type": "Category",
            "optional": True,
            "constraint": {"type": "AllowedTokens", "value": ["eco", "fête"]},
        },
    ],
}
NBSP = "\u00a0"


def nox(k: int) -> float:
    return round(30 + 20 * math.sin(k / 12 * math.pi), 1)


def _insert(conn: Any, model: Any, **values: Any) -> int:
    table = model.__table__
    return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def _place(conn: Any, thing_id: int, name: str, lon: float, lat: float) -> int:
    point = {"type": "Point", "coordinates": [lon, lat]}
    location_id = _insert(
        conn,
        Location,
        name=name,
        description=f"Emplacement {name}",
        encoding_type="application/geo+json",
        location=point,
    )
    conn.execute(insert(ThingLocation.__table__).values(thing_id=thing_id, location_id=location_id))
    return _insert(
        conn,
        FeatureOfInterest,
        name=name,
        description=name,
        encoding_type="application/geo+json",
        feature=point,
    )


def _observations(
    conn: Any, ds_id: int, feature_id: int, values: list[tuple[datetime, float]]
) -> None:
    conn.execute(
        insert(Observation.__table__),
        [
            {
                "phenomenon_time_start": t,
                "phenomenon_time_end": t,
                "result_time": t,
                "result_type": 2,
                "result_number": v,
                "result_string": repr(v),
                "datastream_id": ds_id,
                "feature_id": feature_id,
            }
            for t, v in values
        ],
    )


def add_sensing(engine: Engine) -> dict[str, int]:
    """A public air-quality station (NOx from Airparif, CO), a private sensor and a street
    light with its capability and three tasks. Returns their ids."""
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        station = _insert(
            conn,
            Thing,
            name="Station de test Bastille",
            description="Station de mesure de la qualité de l'air, place de la Bastille",
            properties={"source": "Airparif", "licence": "ODbL 1.0"},
            private=False,
        )
        feature = _place(conn, station, "Bastille", 2.3692, 48.8532)
        analyser = _insert(
            conn,
            Sensor,
            name="Analyseur NOx de test",
            description="Analyseur de référence",
            encoding_type="text/html",
            metadata="https://example.org/analyseur",
        )
        nox_property = _insert(
            conn,
            ObservedProperty,
            name="NOx",
            definition="https://example.org/nox",
            description="Oxydes d'azote",
        )
        co_property = _insert(
            conn,
            ObservedProperty,
            name="CO",
            definition="https://example.org/co",
            description="Monoxyde de carbone",
        )
        last = FIRST_HOUR + timedelta(hours=HOURS - 1)
        nox_stream = _insert(
            conn,
            Datastream,
            name="NOx — Bastille",
            description="Moyenne horaire de NOx à Bastille",
            unit_of_measurement=UG_M3,
            observation_type=MEASUREMENT,
            phenomenon_time_start=FIRST_HOUR,
            phenomenon_time_end=last,
            properties={"source": "Airparif", "licence": "ODbL 1.0"},
            thing_id=station,
            sensor_id=analyser,
            observed_property_id=nox_property,
        )
        _observations(
            conn,
            nox_stream,
            feature,
            [(FIRST_HOUR + timedelta(hours=k), nox(k)) for k in range(HOURS)],
        )
        co_last = CO_START + timedelta(minutes=15 * (CO_COUNT - 1))
        co_stream = _insert(
            conn,
            Datastream,
            name="CO — Bastille",
            description="Monoxyde de carbone au quart d'heure",
            unit_of_measurement=MG_M3,
            observation_type=MEASUREMENT,
            phenomenon_time_start=CO_START,
            phenomenon_time_end=co_last,
            properties={},
            thing_id=station,
            sensor_id=analyser,
            observed_property_id=co_property,
        )
        _observations(
            conn,
            co_stream,
            feature,
            [(CO_START + timedelta(minutes=15 * k), 0.25 + (k % 8) / 10) for k in range(CO_COUNT)],
        )
        hidden = _insert(
            conn,
            Thing,
            name="Capteur privé de la régie",
            description="Pas des données ouvertes",
            properties={},
            private=True,
        )
        hidden_feature = _place(conn, hidden, "Régie", 2.35, 48.86)
        hidden_stream = _insert(
            conn,
            Datastream,
            name="Privé — température",
            description="",
            unit_of_measurement={"name": "degree Celsius", "symbol": "°C", "definition": ""},
            observation_type=MEASUREMENT,
            phenomenon_time_start=FIRST_HOUR,
            phenomenon_time_end=FIRST_HOUR,
            properties={},
            thing_id=hidden,
            sensor_id=analyser,
            observed_property_id=nox_property,
        )
        _observations(conn, hidden_stream, hidden_feature, [(FIRST_HOUR, 21.5)])
        light = _insert(
            conn,
            Thing,
            name="Candélabre de test quai de la Tournelle",
            description="Éclairage public gradable",
            properties={"demo": True},
            private=False,
        )
        _place(conn, light, "Quai de la Tournelle", 2.3539, 48.8504)
        driver = _insert(
            conn,
            Actuator,
            name="Driver LED gradable",
            description="Driver LED",
            encoding_type="text/html",
            metadata="https://example.org/driver",
        )
        capability = _insert(
            conn,
            TaskingCapability,
            name="Gradation de l'éclairage",
            description="Régler l'intensité du candélabre",
            tasking_parameters=BRIGHTNESS,
            thing_id=light,
            actuator_id=driver,
        )
        base = datetime(2025, 1, 20, 18, tzinfo=UTC)
        for n, (status, message, params) in enumerate(
            [
                ("done", None, {"brightness": 40}),
                ("failed", "Pas de réponse du candélabre", {"brightness": 100, "mode": "fête"}),
                ("pending", None, {"brightness": 10}),
            ]
        ):
            _insert(
                conn,
                Task,
                creation_time=base + timedelta(hours=n),
                tasking_parameters=params,
                tasking_capability_id=capability,
                status=status,
                status_time=base + timedelta(hours=n, minutes=1) if status != "pending" else None,
                status_message=message,
            )
    ids.update(
        station=station,
        nox=nox_stream,
        co=co_stream,
        hidden=hidden,
        hidden_stream=hidden_stream,
        light=light,
    )
    return ids


@pytest.fixture
def sensing(app: FastAPI) -> dict[str, int]:
    return add_sensing(app.state.ctx.engine)


def rows_of(html: str, after: str) -> list[str]:
    """The body rows of the first table after the text `after`."""
    part = html.split(after, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", part, flags=re.S)


def test_the_map_and_the_list_of_public_things(client: TestClient, sensing: dict[str, int]) -> None:
    page = client.get("/sensing")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Capteurs et actionneurs de la ville</h1>" in html
    assert 'href="/sensing" aria-current="page"' in html  # in the site's menu
    assert "Capteur privé" not in html
    body = rows_of(html, "<table>")
    assert len(body) == 2
    light, station = body  # by name
    assert f'href="/sensing/things/{sensing["station"]}">Station de test Bastille' in station
    assert "Capteur" in station and "CO, NOx" in station
    last_nox = nox(HOURS - 1)
    assert f"{str(last_nox).replace('.', ',')}{NBSP}µg/m³" in station
    assert f'href="/sensing/datastreams/{sensing["nox"]}"' in station
    assert "30 janv. 2025" in station  # the time of the latest value (Paris)
    assert "Actionneur" in light and "Gradation de l&#39;éclairage" in light
    assert "En attente de l’appareil" in light  # its latest task
    assert "Capteurs de CO + NOx" in html and "Actionneurs" in html  # the legend
    assert f"Source{NBSP}: Airparif" in html
    assert 'data-things="/sensing/things.geojson"' in html
    assert '<script src="/static/js/sensing.js"></script>' in html

    data = client.get("/sensing/things.geojson")
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("application/geo+json")
    features = {f["properties"]["name"]: f for f in data.json()["features"]}
    assert set(features) == {"Station de test Bastille", "Candélabre de test quai de la Tournelle"}
    station_feature = features["Station de test Bastille"]
    assert station_feature["geometry"]["coordinates"] == [2.3692, 48.8532]
    assert station_feature["properties"]["kind"] == "sensor"
    assert sorted(station_feature["properties"]["measures"]) == ["CO", "NOx"]
    assert station_feature["properties"]["url"] == f"/sensing/things/{sensing['station']}"
    lamp = features["Candélabre de test quai de la Tournelle"]["properties"]
    assert lamp["kind"] == "actuator" and lamp["colour"] != station_feature["properties"]["colour"]

    english = client.get("/sensing", headers={"Accept-Language": "en"}).text
    assert "<h1>Sensors and actuators of the city</h1>" in english
    assert "Source: Airparif" in english


def test_no_thing_yet(client: TestClient) -> None:
    page = client.get("/sensing")
    assert page.status_code == 200
    assert "Aucun capteur ni actionneur public pour l’instant." in page.text
    assert client.get("/sensing/things.geojson").json() == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_a_sensor_and_its_datastreams(client: TestClient, sensing: dict[str, int]) -> None:
    page = client.get(f"/sensing/things/{sensing['station']}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Station de test Bastille</h1>" in html
    assert "Station de mesure de la qualité de l&#39;air" in html
    assert "latitude 48.85320, longitude 2.36920" in html
    assert 'data-lat="48.8532"' in html
    streams = rows_of(html, "<table>")
    assert len(streams) == 2
    co, no_x = streams
    assert f'href="/sensing/datastreams/{sensing["nox"]}">NOx — Bastille</a>' in no_x
    assert "µg/m³" in no_x and f"{str(nox(HOURS - 1)).replace('.', ',')}{NBSP}µg/m³" in no_x
    assert "mg/m³" in co
    assert "Ce qu’on peut lui demander" not in html  # not an actuator
    assert f"Source{NBSP}: Airparif" in html
    assert f"/sta/v1.1/Things({sensing['station']})" in html


def test_an_actuator_its_capability_and_tasks(client: TestClient, sensing: dict[str, int]) -> None:
    html = client.get(f"/sensing/things/{sensing['light']}").text
    assert "<h1>Candélabre de test quai de la Tournelle</h1>" in html
    assert "Gradation de l&#39;éclairage" in html
    # The DataRecord in words: label, name, kind, interval with its unit, required or not.
    parameters = rows_of(html, "Paramètres de")
    assert len(parameters) == 2
    brightness, mode = parameters
    assert "Intensité" in brightness and "<code>brightness</code>" in brightness
    assert f"nombre entier, de 0 à 100{NBSP}%" in brightness
    assert "<td>oui</td>" in brightness and "Intensité lumineuse demandée" in brightness
    assert "choix, parmi" in mode and "eco, fête" in mode and "<td>non</td>" in mode
    tasks = rows_of(html, "Dernières consignes")
    assert len(tasks) == 3
    pending, failed, done = tasks  # the latest first
    assert "En attente de l’appareil" in pending and f"Intensité{NBSP}: 10{NBSP}%" in pending
    assert "Échouée" in failed and "Pas de réponse du candélabre" in failed
    assert f"Mode{NBSP}: fête" in failed
    assert "Exécutée" in done and f"Intensité{NBSP}: 40{NBSP}%" in done
    assert "depuis le 20 janv. 2025, 19:01:00" in done
    english = client.get(
        f"/sensing/things/{sensing['light']}", headers={"Accept-Language": "en"}
    ).text
    assert "whole number, from 0 to 100" in english and "Failed" in english


def test_private_and_unknown_things_are_not_found(
    client: TestClient, sensing: dict[str, int]
) -> None:
    for url in (
        f"/sensing/things/{sensing['hidden']}",
        "/sensing/things/999999",
        f"/sensing/datastreams/{sensing['hidden_stream']}",
        f"/sensing/datastreams/{sensing['hidden_stream']}.csv",
        "/sensing/datastreams/999999",
        "/sensing/datastreams/999999.csv",
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert 'role="alert"' in page.text
        assert "Capteur privé" not in page.text and "Privé" not in page.text
    assert "Il n’y a pas de capteur" in client.get("/sensing/things/999999").text
    assert client.get("/sensing/things/99999999999").status_code == 400  # beyond 32 bits
    assert client.get("/sensing/things/abc").status_code == 400


def test_the_chart_of_the_latest_week_by_default(
    client: TestClient, sensing: dict[str, int]
) -> None:
    url = f"/sensing/datastreams/{sensing['nox']}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.text
    assert "<h1>NOx — Bastille</h1>" in html
    # The last observation is on 30 January (Paris): the week from the 24th to the 30th.
    assert 'name="start" value="2025-01-24"' in html
    assert 'name="end" value="2025-01-30"' in html
    assert "du 24 janvier 2025 au 30 janvier 2025" in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    title = re.search(r'<title id="chart-title">(.*?)</title>', svg, flags=re.S)
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg, flags=re.S)
    assert title and "NOx" in title.group(1) and "Station de test Bastille" in title.group(1)
    assert desc and "168 points." in desc.group(1) and "Minimum 10" in desc.group(1)
    assert "maximum 50" in desc.group(1) and "moyenne 30" in desc.group(1)
    assert svg.count("<polyline") == 1
    points = re.search(r'<polyline[^>]* points="([^"]+)"', svg)
    assert points and len(points.group(1).split()) == 168
    ticks = re.findall(r'text-anchor="middle"[^>]*>([^<]+)</text>', svg)
    assert ticks == [f"{d}{NBSP}janv." if NBSP in ticks[0] else f"{d} janv." for d in range(24, 31)]
    assert "µg/m³" in svg  # the unit on the value axis
    # the data table, collapsed
    details = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "(168 points)" in details
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", details)
    assert len(cells) == 168
    assert cells[0][1] == str(nox(23 * 24)).replace(".", ",").removesuffix(",0")
    # downloads and the API
    assert (
        f'href="/sensing/datastreams/{sensing["nox"]}.csv?start=2025-01-24&amp;end=2025-01-30"'
        in html
    )
    sta = re.search(r'href="(/sta/v1\.1/Datastreams\(\d+\)/Observations\?[^"]+)"', html)
    assert sta
    link = sta.group(1).replace("&amp;", "&")
    assert "$filter=phenomenonTime%20ge%202025-01-23T23:00:00.000Z%20and%20phenomenonTime" in link
    assert "lt%202025-01-30T23:00:00.000Z" in link
    assert f"Source{NBSP}: Airparif" in html
    # period links: no next period after the data, a previous one
    assert f'href="{url}?start=2025-01-17&amp;end=2025-01-23">Période précédente' in html
    assert "Période suivante" not in html
    assert f'href="{url}?start=2025-01-30&amp;end=2025-01-30">Jour' in html
    assert (
        f'href="{url}?start=2025-01-24&amp;end=2025-01-30" aria-current="true"><strong>Semaine'
        in html
    )
    assert f'href="{url}?start=2024-12-31&amp;end=2025-01-30">Mois' in html
    assert f'href="{url}?start=2024-01-31&amp;end=2025-01-30">Année' in html


def test_periods_chosen_and_moved(client: TestClient, sensing: dict[str, int]) -> None:
    url = f"/sensing/datastreams/{sensing['nox']}"
    day = client.get(url, params={"start": "2025-01-10", "end": "2025-01-10"}).text
    assert "le 10 janvier 2025" in day
    assert "(24 points)" in day
    ticks = re.findall(r'text-anchor="middle"[^>]*>([^<]+)</text>', day)
    assert ticks[1:4] == ["03:00", "06:00", "09:00"]
    assert f'href="{url}?start=2025-01-09&amp;end=2025-01-09">Période précédente' in day
    assert f'href="{url}?start=2025-01-11&amp;end=2025-01-11">Période suivante' in day
    assert "Zoomer</a>" not in day and "Dézoomer</a>" in day
    # only a start: a week from it; only an end: the week before it
    assert 'name="end" value="2025-01-08"' in client.get(url, params={"start": "2025-01-02"}).text
    assert 'name="start" value="2025-01-04"' in client.get(url, params={"end": "2025-01-10"}).text
    # a whole year, most of it without data
    year = client.get(url, params={"start": "2024-02-01", "end": "2025-01-31"})
    assert year.status_code == 200 and f"({HOURS} points)" in year.text
    # before the data: said in words, with a way back
    empty = client.get(url, params={"start": "2024-01-01", "end": "2024-01-07"}).text
    assert "Aucune observation numérique sur cette période." in empty
    assert "<svg" not in empty.split("<main", 1)[1]
    assert "Voir la dernière semaine de données" in empty


def test_a_long_series_is_averaged(client: TestClient, sensing: dict[str, int]) -> None:
    url = f"/sensing/datastreams/{sensing['co']}"
    page = client.get(url, params={"start": "2025-01-01", "end": "2025-02-01"}).text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, flags=re.S)
    assert caption
    said = re.search(
        r"La période compte (.+) observations\xa0: .* moyennes de (.+) intervalles",
        caption.group(1),
    )
    assert said, caption.group(1)
    assert said.group(1).replace("\u202f", "") == str(CO_COUNT)
    shown = int(said.group(2).replace("\u202f", ""))
    assert 1000 < shown <= 2000
    details = page.split("<details>", 1)[1].split("</details>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", details)
    assert len(cells) == shown
    assert "Milieu de l’intervalle" in details
    assert "Airparif" not in page.split("<main", 1)[1]  # not an Airparif datastream


def test_bad_dates_are_explained(client: TestClient, sensing: dict[str, int]) -> None:
    url = f"/sensing/datastreams/{sensing['nox']}"
    cases = {
        ("2025-13-01", "2025-01-10"): "Donnez les dates au format AAAA-MM-JJ",
        ("hier", ""): "Donnez les dates au format AAAA-MM-JJ",
        ("2025-01-10", "2025-01-01"): "La fin de la période est avant son début.",
        ("2022-01-01", "2025-01-01"): "Une période dure au plus deux ans.",
        ("1815-06-18", "1815-06-19"): "Donnez des dates entre 1970 et 2100.",
    }
    for (start, end), message in cases.items():
        page = client.get(url, params={"start": start, "end": end})
        assert page.status_code == 400, (start, end)
        assert 'role="alert"' in page.text and message in page.text, (start, end, page.text)
        assert "<svg" not in page.text.split("<main", 1)[1]
        assert 'aria-invalid="true"' in page.text
        csv_page = client.get(f"{url}.csv", params={"start": start, "end": end})
        assert csv_page.status_code in (400, 422) and message in csv_page.text


def test_the_csv_of_a_period(client: TestClient, sensing: dict[str, int]) -> None:
    url = f"/sensing/datastreams/{sensing['nox']}.csv"
    response = client.get(url, params={"start": "2025-01-10", "end": "2025-01-10"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert (
        f"datastream-{sensing['nox']}-2025-01-10-2025-01-10.csv"
        in (response.headers["content-disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "phenomenon_time_start",
        "phenomenon_time_end",
        "result_time",
        "result",
        "unit",
    ]
    assert len(rows) == 25
    # midnight in Paris is 23:00 UTC the day before
    k = 9 * 24
    assert rows[1] == [
        "2025-01-09T23:00:00.000Z",
        "2025-01-09T23:00:00.000Z",
        "2025-01-09T23:00:00.000Z",
        repr(nox(k)),
        "µg/m³",
    ]
    assert [float(r[3]) for r in rows[1:]] == [nox(k + h) for h in range(24)]
    # the default period is the chart's
    default = list(csv.reader(io.StringIO(client.get(url).text)))
    assert len(default) == 1 + 168
    # a long period streams every row (no averaging in downloads)
    co = client.get(
        f"/sensing/datastreams/{sensing['co']}.csv",
        params={"start": "2024-12-01", "end": "2025-02-28"},
    )
    assert len(co.text.strip().split("\n")) == 1 + CO_COUNT
