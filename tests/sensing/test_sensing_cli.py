"""`parvis sensing`: the real Airparif series in the SensorThings API, the demo's actuators,
device credentials and the files of a production Mosquitto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parvis.cli import app as cli
from parvis.kernel.settings import Settings
from parvis.sensing import airparif
from parvis.sensing.mqtt.mosquitto import verify_password


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PARVIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARVIS_STORAGE_URL", settings.storage_url)
    monkeypatch.setenv("PARVIS_MQTT_PASSWORD", "server-secret")
    return CliRunner()


def test_import_airparif_then_read_it_through_the_api(
    runner: CliRunner, client: TestClient
) -> None:
    first = runner.invoke(cli, ["sensing", "import-airparif"])
    assert first.exit_code == 0, first.output
    stations, series = airparif.load_shipped()
    expected = sum(s.count(code) for s in series for code in s.codes if code in stations)
    assert f"{expected:,} observations" in first.output
    again = runner.invoke(cli, ["sensing", "import-airparif"])
    assert again.exit_code == 0 and "0 observations" in again.output

    sta = "/sta/v1.1"
    things = client.get(f"{sta}/Things?$count=true&$top=1").json()
    assert things["@iot.count"] == len({c for s in series for c in s.codes if c in stations})
    halles = client.get(
        f"{sta}/Things?$filter=properties/airparif_code eq 'PA01H'"
        "&$expand=Datastreams($expand=ObservedProperty)"
    ).json()["value"][0]
    assert sorted(d["ObservedProperty"]["name"] for d in halles["Datastreams"]) == ["CO", "NOx"]
    nox = next(d for d in halles["Datastreams"] if d["ObservedProperty"]["name"] == "NOx")
    assert nox["unitOfMeasurement"]["symbol"] == "µg/m³"
    # the first hour of 2025 at Les Halles, as in the file (stamped at the end of its hour)
    nox_series = next(s for s in series if s.pollutant_code == "NOX")
    first_value = next(v for t, v in nox_series.observations("PA01H"))
    obs = client.get(
        f"{sta}/Datastreams({nox['@iot.id']})/Observations?$orderby=phenomenonTime&$top=1&$count=true"
    ).json()
    assert obs["@iot.count"] == nox_series.count("PA01H")
    assert obs["value"][0]["result"] == first_value
    assert (
        obs["value"][0]["phenomenonTime"].endswith("Z") and "/" in obs["value"][0]["phenomenonTime"]
    )
    paris = client.get(
        f"{sta}/Things?$filter=properties/in_paris eq true&$count=true&$top=0"
    ).json()
    assert paris["@iot.count"] == sum(1 for s in stations.values() if s.in_paris)
    page = client.get("/sensing")
    assert page.status_code == 200 and "Airparif" in page.text


def test_actuators_credentials_and_mosquitto_files(
    runner: CliRunner, client: TestClient, tmp_path: Path
) -> None:
    loaded = runner.invoke(cli, ["sensing", "load-actuators"])
    assert loaded.exit_code == 0 and "3 actuators added" in loaded.output
    assert "0 actuators added" in runner.invoke(cli, ["sensing", "load-actuators"]).output
    capabilities = client.get("/sta/v1.1/TaskingCapabilities?$expand=Thing").json()["value"]
    assert len(capabilities) == 3
    lamp = next(c for c in capabilities if "Tournelle" in c["Thing"]["name"])
    thing = lamp["Thing"]["@iot.id"]

    issued = runner.invoke(cli, ["sensing", "credential", "--thing", str(thing), "--json"])
    assert issued.exit_code == 0, issued.output
    credential = json.loads(issued.stdout)
    missing = runner.invoke(cli, ["sensing", "credential", "--thing", "999999"])
    assert missing.exit_code == 1

    written = runner.invoke(cli, ["sensing", "mosquitto-files", str(tmp_path / "mqtt")])
    assert written.exit_code == 0, written.output
    passwd = dict(
        line.split(":", 1) for line in (tmp_path / "mqtt" / "passwd").read_text().splitlines()
    )
    assert verify_password(credential["secret"], passwd[credential["username"]])
    assert verify_password("server-secret", passwd["parvis"])
    acl = (tmp_path / "mqtt" / "acl").read_text()
    device_block = acl.split(f"user {credential['username']}\n", 1)[1].split("\n\n", 1)[0]
    assert f"topic read v1.1/TaskingCapabilities({lamp['@iot.id']})/Tasks" in device_block
    assert "#" not in device_block
    assert "user parvis\ntopic readwrite #" in acl
