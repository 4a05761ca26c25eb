"""``index=web``: nginx access logs (access_combined) of a small web shop behind three web servers."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from mcp_splunk.sandbox.data.clock import MONTHS, Window, day_renderer, spread
from mcp_splunk.sandbox.data.topology import ATTACKERS, WEB_HOSTS
from mcp_splunk.sandbox.events import Event

SOURCE = "/var/log/nginx/access.log"
SOURCETYPE = "access_combined"


@dataclass(frozen=True, slots=True)
class _Outcomes:
    """Status codes of an endpoint with their cumulative weights, for ``bisect``."""

    statuses: tuple[int, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[int, float]) -> _Outcomes:
        return cls(tuple(weights), tuple(accumulate(weights.values())))

    def draw(self, rnd: float) -> int:
        return self.statuses[bisect(self.cumulative, rnd * self.cumulative[-1])]


@dataclass(frozen=True, slots=True)
class _Endpoint:
    method: str
    uris: tuple[str, ...]  # one is picked per request; several when the query string varies
    weight: float  # share of the traffic
    outcomes: _Outcomes
    size: tuple[int, int]  # body bytes of a 2xx
    incident: _Outcomes | None  # outcomes while the payment provider is degraded
    hostile: bool  # probed by the SSH attackers as well as by ordinary clients


def _ep(
    method: str,
    uris: str | tuple[str, ...],
    weight: float,
    outcomes: dict[int, float],
    size: tuple[int, int],
    *,
    incident: dict[int, float] | None = None,
    hostile: bool = False,
) -> _Endpoint:
    return _Endpoint(
        method,
        (uris,) if isinstance(uris, str) else uris,
        weight,
        _Outcomes.of(outcomes),
        size,
        _Outcomes.of(incident) if incident else None,
        hostile,
    )


# Weights tuned so that statuses come out near 87.5 % 2xx, 4 % 3xx, 6.5 % 4xx and 2 % 5xx.
_ITEMS = (17, 42, 108, 256, 311, 404, 512, 777)
_ENDPOINTS: tuple[_Endpoint, ...] = (
    _ep("GET", "/", 12, {200: 96.5, 304: 2, 500: 1, 503: 0.5}, (9000, 16000)),
    _ep("GET", "/products", 9, {200: 96, 304: 2, 404: 0.5, 500: 1, 503: 0.5}, (20000, 42000)),
    _ep(
        "GET",
        tuple(f"/products?category={c}" for c in ("shoes", "books", "toys", "garden", "kitchen")),
        8,
        {200: 94, 304: 1, 404: 3, 500: 1, 503: 1},
        (15000, 36000),
    ),
    _ep(
        "GET",
        tuple(f"/product?id={i}" for i in _ITEMS),
        10,
        {200: 85, 304: 2, 404: 12, 500: 1},
        (6000, 14000),
    ),
    _ep(
        "GET",
        tuple(f"/search?q={q}" for q in ("shoes", "lamp", "gift", "sale", "usb+cable")),
        6,
        {200: 91, 400: 4, 500: 3, 503: 1, 504: 1},
        (4000, 30000),
    ),
    _ep(
        "GET",
        tuple(f"/cart?item={i}" for i in _ITEMS),
        6,
        {200: 93, 302: 3, 404: 2, 500: 1, 503: 1},
        (3000, 8000),
    ),
    _ep("POST", "/cart/add", 4, {200: 92, 302: 3, 400: 3, 500: 2}, (150, 600)),
    _ep("PUT", "/api/cart", 2, {200: 93, 400: 3, 409: 2, 500: 2}, (200, 900)),
    _ep("DELETE", tuple(f"/api/cart?item={i}" for i in _ITEMS), 1, {204: 94, 404: 5, 500: 1}, (0, 0)),
    _ep(
        "GET",
        "/checkout",
        3,
        {200: 92, 302: 4, 500: 2, 503: 2},
        (7000, 12000),
        incident={200: 70, 500: 10, 503: 20},
    ),
    _ep(
        "POST",
        "/api/checkout",
        3,
        {200: 78, 400: 6, 402: 3, 500: 6, 502: 4, 504: 3},
        (300, 1200),
        incident={200: 40, 402: 2, 502: 28, 504: 30},
    ),
    _ep(
        "GET",
        tuple(f"/api/inventory?sku=SKU-{i}" for i in _ITEMS),
        3,
        {200: 90, 404: 3, 500: 2, 503: 3, 504: 2},
        (250, 700),
    ),
    _ep("GET", "/api/recommendations", 3, {200: 95, 500: 1, 503: 2, 504: 2}, (1500, 5000)),
    _ep("GET", "/login", 3, {200: 98, 304: 2}, (3500, 5200)),
    _ep("POST", "/login", 3, {200: 76, 401: 21, 429: 2, 500: 1}, (150, 400)),
    _ep("GET", "/logout", 1, {302: 100}, (0, 0)),
    _ep("GET", "/account", 2, {200: 86, 302: 12, 500: 2}, (5000, 9000)),
    _ep(
        "GET",
        ("/static/css/main.css", "/static/js/app.js", "/static/img/logo.png"),
        12,
        {200: 85, 304: 13, 404: 2},
        (12000, 180000),
    ),
    _ep("GET", "/favicon.ico", 2, {200: 85, 404: 15}, (1150, 1151)),
    _ep("GET", "/robots.txt", 1, {200: 100}, (68, 69)),
    _ep("HEAD", "/health", 6, {200: 99.5, 503: 0.5}, (0, 0)),
    _ep("GET", "/admin", 1.5, {403: 75, 401: 25}, (0, 0), hostile=True),
    _ep("GET", "/wp-login.php", 1.5, {404: 100}, (0, 0), hostile=True),
)

_REFERERS = (
    ("-", 30),
    ("https://shop.example.com/", 25),
    ("https://shop.example.com/products", 15),
    ("https://shop.example.com/cart", 5),
    ("https://www.google.com/", 15),
    ("https://www.bing.com/", 5),
    ("https://duckduckgo.com/", 5),
)
_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
_SAFARI = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
_USER_AGENTS = (
    (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/120.0 Safari/537.36", 30),
    (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_SAFARI} Version/17.1 Safari/605.1.15", 15),
    ("Mozilla/5.0 (X11; Linux x86_64)", 8),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", 8),
    (f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) {_SAFARI} Mobile/15E148", 18),
    (f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_WEBKIT} Chrome/120.0 Mobile Safari/537.36", 12),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 5),
    ("curl/8.4.0", 2),
    ("python-requests/2.31.0", 2),
)
_CUSTOMERS = ("jdoe", "msmith", "akumar", "lchen", "opatel", "rgarcia")
_CLIENTS = 300
_HEAVY_HITTERS = 6  # together about a third of the traffic
_LOGGED_IN = 0.05  # share of requests that carry an authenticated user name


def _client_pool(rng: random.Random) -> list[str]:
    pool: dict[str, None] = {}  # a dict de-duplicates and keeps the draw order, so the pool is deterministic
    while len(pool) < _CLIENTS:
        pool[f"10.{rng.randint(2, 9)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"] = None
    return list(pool)


def _bytes(rnd: float, method: str, status: int, size: tuple[int, int]) -> str:
    if status == 304:
        return "-"
    if method == "HEAD" or status == 204:
        return "0"
    low, high = size if status < 300 else (150, 560)
    return str(low + int(rnd * (high - low)))


def web_events(rng: random.Random, window: Window, incident: Window) -> list[Event]:
    """About 21,000 requests a week; ``/api/checkout`` and ``/checkout`` fail often during ``incident``."""
    times = spread(rng, window, peak_per_hour=200, night=0.25, grid_ms=1000)
    n = len(times)
    clients = _client_pool(rng)
    client_weights = [40 if i < _HEAVY_HITTERS else 1 + i % 4 for i in range(_CLIENTS)]
    endpoints = rng.choices(_ENDPOINTS, [e.weight for e in _ENDPOINTS], k=n)
    ips = rng.choices(clients, client_weights, k=n)
    hosts = rng.choices(WEB_HOSTS, k=n)
    referers = rng.choices([r for r, _ in _REFERERS], [w for _, w in _REFERERS], k=n)
    agents = rng.choices([a for a, _ in _USER_AGENTS], [w for _, w in _USER_AGENTS], k=n)
    stamp = day_renderer(lambda t: f"{t.tm_mday:02d}/{MONTHS[t.tm_mon]}/{t.tm_year}:")
    rnd = rng.random
    events: list[Event] = []
    for ms, endpoint, client, host, referer, agent in zip(times, endpoints, ips, hosts, referers, agents, strict=True):
        uris = endpoint.uris
        uri = uris[int(rnd() * len(uris))]
        outcomes = endpoint.outcomes
        if endpoint.incident and incident.start_ms < ms <= incident.end_ms:
            outcomes = endpoint.incident
        status = outcomes.draw(rnd())
        ip = ATTACKERS[int(rnd() * len(ATTACKERS))] if endpoint.hostile and rnd() < 0.5 else client
        user = _CUSTOMERS[int(rnd() * len(_CUSTOMERS))] if rnd() < _LOGGED_IN else "-"
        size = _bytes(rnd(), endpoint.method, status, endpoint.size)
        raw = (
            f'{ip} - {user} [{stamp(ms)} +0000] "{endpoint.method} {uri} HTTP/1.1" {status} {size} '
            f'"{referer}" "{agent}"'
        )
        events.append(Event(ms / 1000, raw, "web", host, SOURCE, SOURCETYPE))
    return events
