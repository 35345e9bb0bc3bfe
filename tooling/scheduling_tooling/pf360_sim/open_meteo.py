"""Open-Meteo's two APIs as the simulator serves them (`GET /v1/search`, `GET /v1/forecast`), in the
shapes the real ones answer, from deterministic data: the local stack exercises the real weather
adapter over HTTP, with no network. Every US place the geocoder is asked for exists."""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs

ROUTES = {"/v1/search": "weather_geocoding", "/v1/forecast": "weather_forecast"}
_CODES = (0, 2, 3, 61, 95, 71)  # WMO codes: clear, partly cloudy, cloudy, rain, thunderstorms, snow


def answer(path: str, query: str, today: date) -> tuple[int, dict[str, Any]]:
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if path == "/v1/search":
        return _search(params.get("name", ""))
    return _forecast(params, today)


def _search(name: str) -> tuple[int, dict[str, Any]]:
    if not name.strip():
        return 400, {"error": True, "reason": "Parameter 'name' is required"}
    mix = zlib.crc32(name.strip().lower().encode())
    place = {
        "id": mix,
        "name": name.strip(),
        "latitude": round(30 + mix % 1500 / 100, 4),
        "longitude": round(-120 + (mix >> 11) % 4000 / 100, 4),
        "country_code": "US",
        "admin1": _state_of(name),
    }
    return 200, {"results": [place], "generationtime_ms": 0.5}


def _state_of(name: str) -> str:
    """The state a "city state" query names, so the adapter's in-state ranking has one to match."""
    from pf360_client.open_meteo import US_STATES

    words = name.strip()
    return next((full for full in US_STATES.values() if words.lower().endswith(full.lower())), "Illinois")


def _forecast(params: dict[str, str], today: date) -> tuple[int, dict[str, Any]]:
    try:
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
        days = int(params.get("forecast_days", "7"))
    except (KeyError, ValueError):
        return 400, {"error": True, "reason": "latitude, longitude and forecast_days are required"}
    if not 1 <= days <= 16:
        return 400, {"error": True, "reason": "forecast_days must be 1 to 16"}
    daily: dict[str, list[Any]] = {
        "time": [],
        "weather_code": [],
        "temperature_2m_max": [],
        "temperature_2m_min": [],
        "precipitation_probability_max": [],
    }
    for offset in range(days):
        day = (today + timedelta(days=offset)).isoformat()
        mix = zlib.crc32(f"{latitude:.2f},{longitude:.2f}|{day}".encode())
        high = 45 + mix % 45
        daily["time"].append(day)
        daily["weather_code"].append(_CODES[mix % len(_CODES)])
        daily["temperature_2m_max"].append(high + 0.4)
        daily["temperature_2m_min"].append(high - 8 - (mix >> 8) % 15 + 0.2)
        daily["precipitation_probability_max"].append((mix >> 16) % 101)
    units = {"time": "iso8601", "temperature_2m_max": "°F", "temperature_2m_min": "°F"}
    body = {
        "latitude": latitude,
        "longitude": longitude,
        "timezone": "America/New_York",
        "daily_units": units,
    }
    return 200, {**body, "daily": daily}
