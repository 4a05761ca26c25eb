"""``index=main``: one-line JSON logs of the shop's five back-end services on ``app-01`` and ``app-02``."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from mcp_splunk.sandbox.data.clock import HOUR_MS, Window, day_renderer, spread
from mcp_splunk.sandbox.data.topology import APP_HOSTS
from mcp_splunk.sandbox.events import Event

SOURCETYPE = "_json"
LEVELS = ("INFO", "WARN", "ERROR")
INFO, WARN, ERROR = range(3)  # indexes into LEVELS and into a service's message pools

_GATEWAY_TIMEOUT = (5000, 5100)  # the payment provider's client gives up after five seconds


@dataclass(frozen=True, slots=True)
class _Message:
    text: str  # already JSON-encoded, quotes included
    latency_ms: tuple[int, int] | None  # overrides the service's usual latency


def _messages(*specs: str | tuple[str, tuple[int, int]]) -> tuple[_Message, ...]:
    return tuple(
        _Message(json.dumps(spec), None) if isinstance(spec, str) else _Message(json.dumps(spec[0]), spec[1])
        for spec in specs
    )


@dataclass(frozen=True, slots=True)
class _Service:
    name: str
    weight: float
    warn: float  # probability of a WARN line
    error: float  # probability of an ERROR line
    latency_ms: tuple[int, int]  # usual range, drawn log-uniformly
    pools: tuple[tuple[_Message, ...], tuple[_Message, ...], tuple[_Message, ...]]  # per level

    @property
    def source(self) -> str:
        return f"/var/log/app/{self.name}.log"

    def level(self, draw: float) -> int:
        """The level of a line, from a uniform draw in [0, 1)."""
        return ERROR if draw < self.error else WARN if draw < self.error + self.warn else INFO


_SERVICES: tuple[_Service, ...] = (
    _Service(
        "checkout",
        weight=20,
        warn=0.10,
        error=0.05,
        latency_ms=(80, 900),
        pools=(
            _messages("order placed", "cart validated", "shipping options computed", "discount code applied"),
            _messages("inventory reservation slow", "retrying payment authorization", "discount code expired"),
            _messages(
                "order failed: payment service unavailable",
                ("payment gateway timeout", _GATEWAY_TIMEOUT),
                "inventory reservation failed",
            ),
        ),
    ),
    _Service(
        "payments",
        weight=15,
        warn=0.11,
        error=0.05,
        latency_ms=(120, 1500),
        pools=(
            _messages("payment authorized", "payment captured", "refund processed", "3-D Secure challenge passed"),
            _messages(("payment provider latency above threshold", (1500, 3000)), "card declined"),
            _messages(
                ("payment gateway timeout", _GATEWAY_TIMEOUT),
                "card processor returned 502",
                "fraud check service unreachable",
            ),
        ),
    ),
    _Service(
        "inventory",
        weight=20,
        warn=0.10,
        error=0.03,
        latency_ms=(10, 200),
        pools=(
            _messages("stock level updated", "reservation created", "reservation released", "stock sync completed"),
            _messages("low stock for SKU-311", "stock sync lagging behind warehouse"),
            _messages(("database deadlock on reservations table", (800, 2500)), "warehouse API returned 500"),
        ),
    ),
    _Service(
        "auth-api",
        weight=25,
        warn=0.10,
        error=0.03,
        latency_ms=(15, 250),
        pools=(
            _messages("login succeeded", "token refreshed", "logout", "password reset email sent"),
            _messages("login failed: bad password", "rate limit approaching for client", "token near expiry"),
            _messages("user store connection refused", "token signing key unavailable"),
        ),
    ),
    _Service(
        "search-api",
        weight=20,
        warn=0.09,
        error=0.03,
        latency_ms=(20, 600),
        pools=(
            _messages("query served", "autocomplete served", "index refreshed"),
            _messages(("slow query", (2000, 4000)), "search index stale"),
            _messages(("search backend timeout", (3000, 3100)), "query parser error"),
        ),
    ),
)
_CHECKOUT, _PAYMENTS = _SERVICES[0], _SERVICES[1]
_INCIDENT_PER_HOUR = 180  # extra lines while the payment provider is degraded


def main_events(rng: random.Random, window: Window, incident: Window) -> list[Event]:
    """About 8,700 lines a week, plus a burst of checkout and payment errors during ``incident``."""
    stamp = day_renderer(lambda t: f"{t.tm_year}-{t.tm_mon:02d}-{t.tm_mday:02d}T", millis=True)
    rnd = rng.random

    def line(ms: int, service: _Service, level: int) -> Event:
        pool = service.pools[level]
        message = pool[int(rnd() * len(pool))]
        low, high = message.latency_ms or service.latency_ms
        latency = round(low * (high / low) ** rnd())
        raw = (
            f'{{"timestamp": "{stamp(ms)}Z", "level": "{LEVELS[level]}", "service": "{service.name}", '
            f'"message": {message.text}, "latency_ms": {latency}, "trace_id": "{rng.getrandbits(128):032x}", '
            f'"user_id": "u{1000 + int(rnd() * 900)}"}}'
        )
        return Event(ms / 1000, raw, "main", APP_HOSTS[int(rnd() * len(APP_HOSTS))], service.source, SOURCETYPE)

    times = spread(rng, window, peak_per_hour=80, night=0.3, grid_ms=1)
    services = rng.choices(_SERVICES, [s.weight for s in _SERVICES], k=len(times))
    events = [line(ms, service, service.level(rnd())) for ms, service in zip(times, services, strict=True)]
    span = incident.end_ms - incident.start_ms
    for _ in range(span * _INCIDENT_PER_HOUR // HOUR_MS):
        service = _PAYMENTS if rnd() < 0.6 else _CHECKOUT
        events.append(line(incident.start_ms + 1 + int(rnd() * span), service, ERROR if rnd() < 0.75 else WARN))
    events.sort(key=lambda e: e.time)
    return events
