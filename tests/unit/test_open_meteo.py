"""The Open-Meteo adapter against recorded answers (tests/fixtures/open_meteo), served over real HTTP.

The recordings are served by a werkzeug server on 127.0.0.1, so requests, its timeouts and its errors
run for real. Unit tests otherwise run with sockets blocked; this module allows loopback only, so
nothing can reach the real Open-Meteo.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_socket import enable_socket, socket_allow_hosts
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from pf360_client.models import Forecast, ForecastDay
from pf360_client.open_meteo import US_STATES, OpenMeteo, WeatherUnavailable, condition
from pf360_client.weather import MAX_FORECAST_DAYS

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "open_meteo"
TODAY = date(2026, 6, 1)  # the recorded forecast runs 2026-06-01 to 2026-06-16
SPRINGFIELD = {"zipcode": "62701", "city": "Springfield", "state": "IL"}
SPRINGFIELD_AT = (39.80172, -89.64371)
LABEL = "Springfield, IL"
# What must never appear in an error: the address and the coordinates, in any spelling seen on the wire.
PERSONAL = ("62701", "Springfield", "Illinois", "39.8", "89.6", "39%2E8", "89%2E6")

Answer = Callable[[Request], Response]


def recording(name: str) -> Any:
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))


def answer_json(body: Any, status: int = 200) -> Answer:
    return lambda _request: Response(json.dumps(body), status, content_type="application/json")


def answer_raw(text: str, status: int = 200, content_type: str = "text/html") -> Answer:
    return lambda _request: Response(text, status, content_type=content_type)


def answer_late(seconds: float) -> Answer:
    def late(_request: Request) -> Response:
        time.sleep(seconds)
        return Response("{}", content_type="application/json")

    return late


def forecast_like_the_service(body: dict[str, Any]) -> Answer:
    """Like the real service: the recording's first `forecast_days` days."""

    def answer(request: Request) -> Response:
        n = int(request.args["forecast_days"])
        daily = {key: values[:n] for key, values in body["daily"].items()}
        return Response(json.dumps({**body, "daily": daily}), content_type="application/json")

    return answer


class RecordedOpenMeteo:
    """Both Open-Meteo endpoints on loopback. Geocoding answers by the `name` searched (a name with no
    recording finds nothing, as the real service answers); every query received is remembered."""

    def __init__(self) -> None:
        self.places: dict[str, Answer] = {}
        self.forecast: Answer = answer_raw("no forecast recorded", 500)
        self.queries: list[tuple[str, dict[str, str]]] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def reset(self) -> None:
        self.places = {
            "62701": answer_json(recording("geocoding_62701.json")),
            "Springfield Illinois": answer_json(recording("geocoding_springfield.json")),
        }
        self.forecast = forecast_like_the_service(recording("forecast_springfield_16d.json"))
        self.queries.clear()

    def searched(self) -> list[str]:
        return [query["name"] for path, query in self.queries if path == "/v1/search"]

    @Request.application
    def _app(self, request: Request) -> Response:
        self.queries.append((request.path, request.args.to_dict()))
        if request.path == "/v1/forecast":
            return self.forecast(request)
        if request.path == "/v1/search":
            nothing = answer_json(recording("geocoding_nothing.json"))
            return self.places.get(request.args.get("name", ""), nothing)(request)
        return answer_raw("not found", 404)(request)

    def __enter__(self) -> RecordedOpenMeteo:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    """Replaces tests/unit's total block: loopback only, for the local server."""
    socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    yield
    enable_socket()


@pytest.fixture(scope="module")
def recorded_server() -> Iterator[RecordedOpenMeteo]:
    with RecordedOpenMeteo() as server:
        yield server


@pytest.fixture
def server(recorded_server: RecordedOpenMeteo) -> RecordedOpenMeteo:
    recorded_server.reset()
    return recorded_server


def client_for(url: str, timeout: float = 2.0) -> OpenMeteo:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between the client and loopback
    return OpenMeteo(
        session,
        geocoding_url=f"{url}/v1/search",
        forecast_url=f"{url}/v1/forecast",
        timeout=timeout,
        today=lambda: TODAY,
    )


@pytest.fixture
def weather(server: RecordedOpenMeteo) -> Iterator[OpenMeteo]:
    client = client_for(server.url)
    yield client
    client.session.close()


def leaks(error: BaseException) -> list[str]:
    """Personal data in the error's message or its printed traceback, or a chained error at all: requests'
    errors may quote the URL, query and all, and error reporters walk the chain."""
    text = str(error) + "".join(traceback.format_exception(error))
    chained = error.__cause__ is not None or (
        error.__context__ is not None and not error.__suppress_context__
    )
    return [token for token in PERSONAL if token in text] + (["a chained error"] if chained else [])


# --- locate --------------------------------------------------------------------------------------------


def test_zip_is_searched_first_with_the_documented_parameters(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    assert weather.locate(**SPRINGFIELD) == SPRINGFIELD_AT
    assert server.queries == [
        ("/v1/search", {"name": "62701", "count": "5", "language": "en", "format": "json"})
    ]


def test_zip_plus_four_searches_the_five_digit_zip(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    assert weather.locate(zipcode=" 62701-1234 ", city=None, state=None) == SPRINGFIELD_AT
    assert server.searched() == ["62701"]


def test_zip_skips_results_outside_the_us(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    server.places["75001"] = answer_json(recording("geocoding_75001.json"))  # Paris first, then Addison TX
    assert weather.locate(zipcode="75001", city="Addison", state="TX") == (32.96179, -96.82917)
    assert server.searched() == ["75001"]


def test_zip_with_only_foreign_results_falls_back_to_city_and_full_state_name(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    server.places["10115"] = answer_json(recording("geocoding_10115.json"))  # Berlin-Mitte only
    server.places["New York New York"] = answer_json(recording("geocoding_new_york_new_york.json"))
    assert weather.locate(zipcode="10115", city="New York", state="ny") == (40.71427, -74.00597)
    assert server.searched() == ["10115", "New York New York"]


def test_unknown_zip_falls_back_to_city_and_state(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    server.places["62701"] = answer_json(recording("geocoding_nothing.json"))
    assert weather.locate(**SPRINGFIELD) == SPRINGFIELD_AT  # Illinois is third of five Springfields
    assert server.searched() == ["62701", "Springfield Illinois"]


def test_no_zip_goes_straight_to_city_and_state(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    assert weather.locate(zipcode=None, city="Springfield", state="IL") == SPRINGFIELD_AT
    assert server.searched() == ["Springfield Illinois"]


def test_city_search_prefers_a_us_result(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    server.places["London Kentucky"] = answer_json(recording("geocoding_london_kentucky.json"))
    assert weather.locate(zipcode=None, city="London", state="KY") == (37.12898, -84.08326)


def test_city_search_prefers_the_named_state_to_the_first_us_result(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    # Springfield, Massachusetts is first in the answer; Illinois is asked for
    assert weather.locate(zipcode=None, city="Springfield", state="Illinois") == SPRINGFIELD_AT


def test_city_search_takes_a_us_result_of_another_state_before_a_foreign_one(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    server.places["London Ohio"] = answer_json(recording("geocoding_london_kentucky.json"))  # no Ohio London
    assert weather.locate(zipcode=None, city="London", state="OH") == (37.12898, -84.08326)


def test_city_search_without_a_us_result_takes_the_first(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    server.places["Toronto Ontario"] = answer_json(recording("geocoding_toronto_ontario.json"))
    assert weather.locate(zipcode=None, city="Toronto", state="Ontario") == (43.70643, -79.39864)


def test_city_alone_is_tried_last_and_only_in_the_right_state(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    """The geocoder matches names only, so "Springfield Missouri" may find nothing."""
    server.places["Springfield"] = answer_json(recording("geocoding_springfield.json"))
    assert weather.locate(zipcode=None, city="Springfield", state="MO") == (37.21533, -93.29824)
    assert server.searched() == ["Springfield Missouri", "Springfield"]
    with pytest.raises(WeatherUnavailable, match=r"^geocoding found no place$"):
        weather.locate(zipcode=None, city="Springfield", state="NV")  # five Springfields, none in Nevada


def test_state_table_has_the_50_states_and_dc() -> None:
    assert len(US_STATES) == 51
    assert US_STATES["DC"] == "District of Columbia"
    assert all(len(code) == 2 and code.isupper() for code in US_STATES)


# --- forecast ------------------------------------------------------------------------------------------


def test_forecast_query_and_parsing(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    forecast = weather.forecast(*SPRINGFIELD_AT, days=3, label=LABEL)
    assert forecast == Forecast(
        LABEL,
        (
            ForecastDay("2026-06-01", "Clear", 84, 63, 0),
            ForecastDay("2026-06-02", "Partly cloudy", 87, 65, 3),
            ForecastDay("2026-06-03", "Partly cloudy", 86, 67, 8),
        ),
    )
    assert all(isinstance(d.high_f, int) and isinstance(d.low_f, int) for d in forecast.days)
    [(path, query)] = server.queries
    assert path == "/v1/forecast"
    assert (float(query.pop("latitude")), float(query.pop("longitude"))) == SPRINGFIELD_AT
    assert query == {
        "daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
        "temperature_unit": "fahrenheit",
        "timezone": "auto",
        "forecast_days": "3",
    }


def test_start_asks_for_enough_days_and_returns_only_from_start(
    weather: OpenMeteo, server: RecordedOpenMeteo
) -> None:
    forecast = weather.forecast(*SPRINGFIELD_AT, days=3, start="2026-06-04", label="x")
    assert server.queries[0][1]["forecast_days"] == "6"  # 3 days before the start, then 3
    assert [(d.date, d.condition) for d in forecast.days] == [
        ("2026-06-04", "Cloudy"),
        ("2026-06-05", "Fog"),
        ("2026-06-06", "Drizzle"),
    ]


def test_never_more_than_the_days_asked(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    server.forecast = answer_json(recording("forecast_springfield_16d.json"))  # all 16 days, whatever asked
    forecast = weather.forecast(*SPRINGFIELD_AT, days=2, start="2026-06-04", label="x")
    assert [d.date for d in forecast.days] == ["2026-06-04", "2026-06-05"]


def test_start_near_the_horizon_is_capped_at_16_days(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    forecast = weather.forecast(*SPRINGFIELD_AT, days=5, start="2026-06-14", label="x")
    assert server.queries[0][1]["forecast_days"] == str(MAX_FORECAST_DAYS) == "16"
    assert forecast.days == (
        ForecastDay("2026-06-14", "Rain", 79, 65, 65),
        ForecastDay("2026-06-15", "Rain showers", 76, 62, 50),
        ForecastDay("2026-06-16", "Thunderstorms", 82, 64, None),  # the service has no probability yet
    )


@pytest.mark.parametrize(
    ("days", "start", "message"),
    [
        (3, "2026-06-17", "more than 16 days ahead"),  # the 17th day from today
        (1, "2026-09-01", "more than 16 days ahead"),
        (3, "2026-05-31", "start is in the past"),
        (0, None, "days must be 1 to 16"),
        (17, None, "days must be 1 to 16"),
    ],
)
def test_refused_before_any_call(
    weather: OpenMeteo, server: RecordedOpenMeteo, days: int, start: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        weather.forecast(*SPRINGFIELD_AT, days=days, start=start, label="x")
    assert server.queries == []


def test_16_days_from_today_is_the_whole_recording(weather: OpenMeteo) -> None:
    forecast = weather.forecast(*SPRINGFIELD_AT, days=16, label="x")
    assert [d.date for d in forecast.days] == [f"2026-06-{n:02d}" for n in range(1, 17)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, "Clear"),
        (1, "Partly cloudy"),
        (2, "Partly cloudy"),
        (3, "Cloudy"),
        (45, "Fog"),
        (48, "Fog"),
        (51, "Drizzle"),
        (57, "Drizzle"),
        (61, "Rain"),
        (67, "Rain"),
        (71, "Snow"),
        (77, "Snow"),
        (80, "Rain showers"),
        (82, "Rain showers"),
        (85, "Snow showers"),
        (86, "Snow showers"),
        (95, "Thunderstorms"),
        (99, "Thunderstorms"),
        (4, "Unknown"),
        (50, "Unknown"),
        (100, "Unknown"),
        (-1, "Unknown"),
        (None, "Unknown"),
    ],
)
def test_wmo_codes(code: int | None, expected: str) -> None:
    assert condition(code) == expected


def test_weather_for_address_locates_then_forecasts(weather: OpenMeteo, server: RecordedOpenMeteo) -> None:
    forecast = weather.weather_for_address(**SPRINGFIELD, days=2, start="2026-06-08")
    assert forecast.location == LABEL
    assert [(d.date, d.condition, d.high_f, d.low_f) for d in forecast.days] == [
        ("2026-06-08", "Rain showers", 77, 61),
        ("2026-06-09", "Thunderstorms", 82, 67),
    ]
    assert [path for path, _ in server.queries] == ["/v1/search", "/v1/forecast"]
    assert float(server.queries[1][1]["latitude"]) == SPRINGFIELD_AT[0]


# --- failures: always WeatherUnavailable, never the address or coordinates in it ---------------------


def _broken_daily(change: Callable[[dict[str, Any]], None]) -> Answer:
    body = recording("forecast_springfield_16d.json")
    change(body["daily"])
    return answer_json(body)


FORECAST_FAILURES = {
    "503": (answer_raw("<html>Service Unavailable</html>", 503), "^forecast service answered 503$"),
    "400": (
        answer_json({"error": True, "reason": "Latitude must be in range of -90 to 90°."}, 400),
        "^forecast service answered 400$",
    ),
    "bad json": (answer_raw("<html>oops</html>"), "^forecast service answered unreadable JSON$"),
    "json not an object": (answer_json([1, 2]), "^forecast service answered an unexpected shape$"),
    "no daily": (answer_json({"latitude": 39.8, "longitude": -89.6}), "unexpected shape"),
    "no precipitation": (
        _broken_daily(lambda d: d.pop("precipitation_probability_max")),
        "^forecast service answered an unexpected shape$",
    ),
    "no time": (_broken_daily(lambda d: d.pop("time")), "unexpected shape"),
    "short column": (_broken_daily(lambda d: d["temperature_2m_max"].pop()), "unexpected shape"),
    "null temperature": (_broken_daily(lambda d: d["temperature_2m_min"].__setitem__(0, None)), "unexpected"),
    "bad date": (_broken_daily(lambda d: d["time"].__setitem__(0, "June 1st")), "unexpected shape"),
    "no days": (
        _broken_daily(lambda d: [v.clear() for v in d.values()]),
        "^forecast service answered no days$",
    ),
}


@pytest.mark.parametrize("failure", FORECAST_FAILURES)
def test_forecast_failures(weather: OpenMeteo, server: RecordedOpenMeteo, failure: str) -> None:
    server.forecast, message = FORECAST_FAILURES[failure]
    with pytest.raises(WeatherUnavailable, match=message) as caught:
        weather.weather_for_address(**SPRINGFIELD, days=3)
    assert leaks(caught.value) == []


GEOCODING_FAILURES = {
    "503": (answer_raw("busy", 503, "text/plain"), "^geocoding service answered 503$"),
    "bad json": (answer_raw('{"results": [', content_type="application/json"), "unreadable JSON"),
    "results not a list": (answer_json({"results": {"name": "Springfield"}}), "unexpected shape"),
    "no latitude": (
        answer_json({"results": [{"name": "Springfield", "longitude": -89.6, "country_code": "US"}]}),
        "^geocoding service answered an unexpected shape$",
    ),
    "nothing found": (answer_json(recording("geocoding_nothing.json")), "^geocoding found no place$"),
}


@pytest.mark.parametrize("failure", GEOCODING_FAILURES)
def test_geocoding_failures(weather: OpenMeteo, server: RecordedOpenMeteo, failure: str) -> None:
    answer, message = GEOCODING_FAILURES[failure]
    server.places = {"62701": answer, "Springfield Illinois": answer}
    with pytest.raises(WeatherUnavailable, match=message) as caught:
        weather.weather_for_address(**SPRINGFIELD, days=3)
    assert leaks(caught.value) == []
    assert caught.value.transient is (failure == "503")  # only a server error is worth asking again
    assert all(path == "/v1/search" for path, _ in server.queries)  # no forecast without a place


def test_geocoding_timeout(server: RecordedOpenMeteo) -> None:
    server.places["62701"] = answer_late(0.6)
    weather = client_for(server.url, timeout=0.2)
    with pytest.raises(WeatherUnavailable, match=r"^geocoding service timed out$") as caught:
        weather.weather_for_address(**SPRINGFIELD, days=3)
    assert len(server.queries) == 1  # no retry inside: the caller decides
    assert caught.value.transient is True  # worth asking again
    assert leaks(caught.value) == []


def test_forecast_timeout(server: RecordedOpenMeteo) -> None:
    server.forecast = answer_late(0.6)
    weather = client_for(server.url, timeout=0.2)
    with pytest.raises(WeatherUnavailable, match=r"^forecast service timed out$") as caught:
        weather.weather_for_address(**SPRINGFIELD, days=3)
    assert leaks(caught.value) == []


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    weather = client_for(f"http://127.0.0.1:{port}")
    with pytest.raises(WeatherUnavailable, match=r"^geocoding service unreachable$") as caught:
        weather.locate(**SPRINGFIELD)
    assert leaks(caught.value) == []


def test_coordinates_never_leak_from_a_forecast_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    weather = client_for(f"http://127.0.0.1:{port}")
    with pytest.raises(WeatherUnavailable, match=r"^forecast service unreachable$") as caught:
        weather.forecast(*SPRINGFIELD_AT, days=3, label=LABEL)  # no personal literal in this traceback line
    assert leaks(caught.value) == []
