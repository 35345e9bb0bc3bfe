"""Weather at a project's installation address, which is not PF360's: Open-Meteo in real mode (its
public API, or `WEATHER_API_URL`, where the local simulator serves the same API), a deterministic
fake in mock mode. A provider failure is `WeatherUnavailable`: a forecast is never invented."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from pf360_client.models import Forecast, ForecastDay

if TYPE_CHECKING:
    from pf360_client.settings import Settings

CONDITIONS = ("Clear", "Partly cloudy", "Cloudy", "Rain", "Thunderstorms", "Snow")
MAX_FORECAST_DAYS = 16  # the furthest Open-Meteo forecasts


class WeatherUnavailable(Exception):
    """The weather provider failed. The message never holds the address or the coordinates.
    `transient`: worth asking again (a timeout, no connection, a 5xx or 429; `retry_after` its hint)."""

    def __init__(self, message: str, *, transient: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient, self.retry_after = transient, retry_after


class Weather(Protocol):
    def weather_for_address(
        self, *, zipcode: str | None, city: str | None, state: str | None, days: int, start: str | None = None
    ) -> Forecast: ...


class FakeWeather:
    """Mock mode's forecasts: the same answer for the same place and day, no network."""

    def __init__(self, today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self.today = today

    def weather_for_address(
        self, *, zipcode: str | None, city: str | None, state: str | None, days: int, start: str | None = None
    ) -> Forecast:
        place = ", ".join(x for x in (city, state) if x) or zipcode or "unknown"
        first = date.fromisoformat(start) if start else self.today()
        forecast = []
        for offset in range(days):
            day = (first + timedelta(days=offset)).isoformat()
            mix = zlib.crc32(f"{zipcode or place}|{day}".encode())
            high = 45 + mix % 45
            low = high - 8 - (mix >> 8) % 15
            forecast.append(ForecastDay(day, CONDITIONS[mix % 6], high, low, (mix >> 16) % 101))
        return Forecast(place, tuple(forecast))


def build_weather(settings: Settings) -> Weather:
    if settings.use_mock_api:
        return FakeWeather()
    from pf360_client.open_meteo import OpenMeteo  # loads requests: at the first forecast, not at import

    if settings.weather_url:
        base = settings.weather_url
        return OpenMeteo(geocoding_url=f"{base}/v1/search", forecast_url=f"{base}/v1/forecast")
    return OpenMeteo()
