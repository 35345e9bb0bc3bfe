"""Weather at an address from Open-Meteo: free and keyless, so no secret to store or rotate.

Two calls: the geocoding API turns a ZIP (or city and state) into coordinates, the forecast API
turns coordinates into daily forecasts. Every provider failure becomes `WeatherUnavailable`, whose
message is a fixed short reason: addresses and coordinates are personal data and must not reach logs
through an error. There are no retries here; the caller decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import requests

from pf360_client.models import Forecast, ForecastDay
from pf360_client.weather import MAX_FORECAST_DAYS, WeatherUnavailable

DAILY = "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max"

# The geocoder knows place names, not postal abbreviations ("IL" is no word it matches to Illinois).
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

# WMO weather interpretation codes (the forecast's `weather_code`), as (first, last, condition).
_CONDITIONS = (
    (0, 0, "Clear"), (1, 2, "Partly cloudy"), (3, 3, "Cloudy"), (45, 48, "Fog"), (51, 57, "Drizzle"),
    (61, 67, "Rain"), (71, 77, "Snow"), (80, 82, "Rain showers"), (85, 86, "Snow showers"),
    (95, 99, "Thunderstorms"),
)  # fmt: skip


def condition(code: int | None) -> str:
    """A short English condition for a WMO weather code; "Unknown" for anything else."""
    return next(
        (text for first, last, text in _CONDITIONS if code is not None and first <= code <= last), "Unknown"
    )


def _utc_today() -> date:
    return datetime.now(UTC).date()


class OpenMeteo:
    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        geocoding_url: str = "https://geocoding-api.open-meteo.com/v1/search",
        forecast_url: str = "https://api.open-meteo.com/v1/forecast",
        timeout: float = 10.0,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self.session = requests.Session() if session is None else session
        self.geocoding_url = geocoding_url
        self.forecast_url = forecast_url
        self.timeout = timeout
        self.today = today  # injectable, so `start` arithmetic is testable

    def weather_for_address(
        self, *, zipcode: str | None, city: str | None, state: str | None, days: int, start: str | None = None
    ) -> Forecast:
        """Locate the address, then forecast there, labelled "City, ST"."""
        latitude, longitude = self.locate(zipcode=zipcode, city=city, state=state)
        st = (state or "").strip()
        label = ", ".join(p for p in ((city or "").strip(), st.upper() if len(st) == 2 else st) if p)
        return self.forecast(latitude, longitude, days=days, start=start, label=label or (zipcode or ""))

    def locate(self, *, zipcode: str | None, city: str | None, state: str | None) -> tuple[float, float]:
        """Coordinates of the ZIP if the geocoder knows it in the US, else of the city in its state."""
        zip5 = re.match(r"[0-9]{5}(?![0-9])", (zipcode or "").strip())
        if zip5:
            us = [r for r in self._places(zip5.group()) if r.get("country_code") == "US"]
            if us:
                return _coordinates(us[0])
        city, state = (city or "").strip(), (state or "").strip()
        state_name = US_STATES.get(state.upper(), state)
        if city:
            found = self._places(f"{city} {state_name}".strip())
            # Fuzzy matching can rank a same-named city of another state first: the state's own comes first.
            ranked = (
                _in_state(found, state_name) + [r for r in found if r.get("country_code") == "US"] + found
            )
            if ranked:
                return _coordinates(ranked[0])
            # The geocoder matches names only, so "city state" often finds nothing: then the city alone,
            # taken only in that state (never a same-named city elsewhere).
            same = _in_state(self._places(city), state_name) if state_name else []
            if same:
                return _coordinates(same[0])
        raise WeatherUnavailable("geocoding found no place")

    def forecast(
        self, latitude: float, longitude: float, *, days: int, label: str, start: str | None = None
    ) -> Forecast:
        """Daily forecasts for `days` days from today, or from `start` (YYYY-MM-DD) within 16 days."""
        if not 1 <= days <= MAX_FORECAST_DAYS:
            raise ValueError(f"days must be 1 to {MAX_FORECAST_DAYS}")
        first = date.fromisoformat(start) if start else None
        offset = (first - self.today()).days if first else 0
        if offset < 0:
            raise ValueError("start is in the past")
        if offset >= MAX_FORECAST_DAYS:  # the provider has nothing that far out
            raise ValueError(f"more than {MAX_FORECAST_DAYS} days ahead")
        params = {
            "latitude": latitude,
            "longitude": longitude,
            "daily": DAILY,
            "temperature_unit": "fahrenheit",
            "timezone": "auto",
            "forecast_days": min(offset + days, MAX_FORECAST_DAYS),
        }
        body = self._get(self.forecast_url, params, "forecast")
        forecast: list[ForecastDay] = []
        try:
            daily = body["daily"]
            columns = ("time", "weather_code", "temperature_2m_max", "temperature_2m_min")
            rows = zip(*(daily[c] for c in columns), daily["precipitation_probability_max"], strict=True)
            for day, code, high, low, rain in rows:
                if date.fromisoformat(day) >= (first or date.min) and len(forecast) < days:
                    chance = None if rain is None else round(rain)  # null: no probability that far out
                    forecast.append(ForecastDay(day, condition(code), round(high), round(low), chance))
        except (KeyError, TypeError, ValueError, OverflowError):
            raise WeatherUnavailable("forecast service answered an unexpected shape") from None
        if not forecast:
            raise WeatherUnavailable("forecast service answered no days")
        return Forecast(label, tuple(forecast))

    def _places(self, name: str) -> list[dict[str, Any]]:
        body = self._get(
            self.geocoding_url, {"name": name, "count": 5, "language": "en", "format": "json"}, "geocoding"
        )
        results = body.get("results", [])  # absent when nothing matched
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise WeatherUnavailable("geocoding service answered an unexpected shape")
        return results

    def _get(self, url: str, params: dict[str, Any], service: str) -> dict[str, Any]:
        """The JSON object answered. `from None`: requests' errors quote the URL, whose query is personal."""
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise WeatherUnavailable(f"{service} service timed out", transient=True) from None
        except requests.RequestException:
            raise WeatherUnavailable(f"{service} service unreachable", transient=True) from None
        if not 200 <= response.status_code < 300:
            status = response.status_code
            hint = response.headers.get("Retry-After", "")
            raise WeatherUnavailable(
                f"{service} service answered {status}",
                transient=status >= 500 or status == 429,
                retry_after=float(hint) if hint.isdigit() else None,
            )
        try:
            body = response.json()
        except ValueError:
            raise WeatherUnavailable(f"{service} service answered unreadable JSON") from None
        if not isinstance(body, dict):
            raise WeatherUnavailable(f"{service} service answered an unexpected shape")
        return body


def _in_state(places: list[dict[str, Any]], state_name: str) -> list[dict[str, Any]]:
    return [
        r
        for r in places
        if r.get("country_code") == "US" and str(r.get("admin1")).casefold() == state_name.casefold()
    ]


def _coordinates(place: dict[str, Any]) -> tuple[float, float]:
    try:
        return float(place["latitude"]), float(place["longitude"])
    except (KeyError, TypeError, ValueError):
        raise WeatherUnavailable("geocoding service answered an unexpected shape") from None
