"""``index=security``: sshd and sudo lines from /var/log/secure (linux_secure).

Background traffic is people logging in to the bastion from their workstations and hopping on to the servers,
deployments, sudo, the odd mistyped password and a trickle of internet scanners. On top of that a few
brute-force bursts a day come from the ``ATTACKERS``; the "Failed logins by source" alert fires on them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from mcp_splunk.sandbox.data.clock import DAY_MS, MONTHS, SECOND_MS, Window, day_renderer, spread
from mcp_splunk.sandbox.data.seeding import derived_rng
from mcp_splunk.sandbox.data.topology import ATTACKERS, BASTION, PEOPLE, SECURE_HOSTS
from mcp_splunk.sandbox.events import Event

SOURCE = "/var/log/secure"
SOURCETYPE = "linux_secure"

_INVALID_USERS = ("admin", "test", "oracle", "ubuntu", "guest", "pi", "postgres", "user", "ftp", "git")
_COMMANDS = (
    "/bin/systemctl restart nginx",
    "/usr/bin/systemctl status postgresql",
    "/usr/bin/tail -n 200 /var/log/nginx/error.log",
    "/usr/bin/journalctl -u sshd --since today",
    "/usr/bin/apt-get update",
    "/usr/bin/docker ps",
    "/bin/cat /etc/shadow",
)
# Other internet scanners: single tries spread over many addresses, never enough to trip the alert.
_SCANNERS = tuple(
    ip
    for ip in (f"{net}.{host}" for net in ("203.0.113", "198.51.100") for host in range(2, 250, 7))
    if ip not in ATTACKERS
)


@dataclass(frozen=True, slots=True)
class Burst:
    """One brute-force attack: failed SSH logins from ``src`` against ``host`` at ``times`` (ms)."""

    src: str
    host: str
    times: tuple[int, ...]


def brute_force_bursts(seed: int, window: Window) -> list[Burst]:
    """Two to four bursts in each day of ``window``, oldest first.

    Days are drawn from the newest back, each burst inside its own day, so the last N days do not depend on
    how many days the window spans: the fired-alert history is computed from a two-day window and matches
    the events of a longer one.
    """
    rng = derived_rng(seed, "security/bursts")
    bursts: list[Burst] = []
    for back in range((window.end_ms - window.start_ms) // DAY_MS):
        day_end = window.end_ms - back * DAY_MS
        for _ in range(rng.randint(2, 4)):
            gaps = [rng.randint(2, 12) for _ in range(rng.randint(24, 110))]  # seconds between attempts
            start = (day_end - DAY_MS) // SECOND_MS + 1 + rng.randrange(DAY_MS // SECOND_MS - sum(gaps))
            times = tuple(s * SECOND_MS for s in accumulate(gaps, initial=start))
            host = BASTION.hostname if rng.random() < 0.8 else "web-01"
            bursts.append(Burst(rng.choice(ATTACKERS), host, times))
    bursts.sort(key=lambda b: b.times[0])
    return bursts


def _sshd(rng: random.Random, host: str, message: str) -> tuple[str, str]:
    return host, f"{host} sshd[{rng.randint(1100, 65000)}]: {message} port {rng.randint(32768, 60999)} ssh2"


def _login(rng: random.Random) -> tuple[str, str]:
    person = rng.choice(PEOPLE)
    how = "publickey" if rng.random() < 0.6 else "password"
    return _sshd(rng, BASTION.hostname, f"Accepted {how} for {person.username} from {person.ip}")


def _hop(rng: random.Random) -> tuple[str, str]:
    user = rng.choice(PEOPLE).username if rng.random() < 0.7 else "deploy"
    return _sshd(rng, rng.choice(("db-01", "web-01")), f"Accepted publickey for {user} from {BASTION.ip}")


def _sudo(rng: random.Random) -> tuple[str, str]:
    host = rng.choice(SECURE_HOSTS)
    user = rng.choice(PEOPLE).username if rng.random() < 0.8 else "deploy"
    command = rng.choice(_COMMANDS)
    tty = rng.randint(0, 3)
    return host, f"{host} sudo: {user:>8} : TTY=pts/{tty} ; PWD=/home/{user} ; USER=root ; COMMAND={command}"


def _typo(rng: random.Random) -> tuple[str, str]:
    person = rng.choice(PEOPLE)
    return _sshd(rng, BASTION.hostname, f"Failed password for {person.username} from {person.ip}")


def _scan(rng: random.Random) -> tuple[str, str]:
    return _sshd(rng, BASTION.hostname, f"Failed password for {_target(rng)} from {rng.choice(_SCANNERS)}")


def _target(rng: random.Random) -> str:
    return "root" if rng.random() < 0.4 else f"invalid user {rng.choice(_INVALID_USERS)}"


_KINDS: tuple[tuple[Callable[[random.Random], tuple[str, str]], float], ...] = (
    (_login, 25),
    (_hop, 25),
    (_sudo, 30),
    (_typo, 5),
    (_scan, 15),
)


def security_events(rng: random.Random, window: Window, bursts: list[Burst]) -> list[Event]:
    """About 2,000 background lines a week plus the ``bursts`` (roughly 1,500 failed logins)."""
    stamp = day_renderer(lambda t: f"{MONTHS[t.tm_mon]} {t.tm_mday:2d} ")  # syslog pads the day with a space
    times = spread(rng, window, peak_per_hour=20, night=0.15, grid_ms=SECOND_MS)
    kinds = rng.choices([k for k, _ in _KINDS], [w for _, w in _KINDS], k=len(times))
    lines = [(ms, *kind(rng)) for ms, kind in zip(times, kinds, strict=True)]
    for burst in bursts:
        lines.extend(
            (ms, *_sshd(rng, burst.host, f"Failed password for {_target(rng)} from {burst.src}")) for ms in burst.times
        )
    lines.sort(key=lambda line: line[0])
    return [Event(ms / 1000, f"{stamp(ms)} {raw}", "security", host, SOURCE, SOURCETYPE) for ms, host, raw in lines]
