"""The fictional estate the sample data describes: its servers, its people and the addresses they use.

The log generators and the KV Store ``assets`` collection both read these tables, so every asset record names
a host or an address that really occurs in the events.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Server:
    hostname: str
    ip: str
    owner: str  # the team that runs it
    criticality: int  # 1 (lowest) to 5


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    workstation: str
    ip: str
    criticality: int


SERVERS: tuple[Server, ...] = (
    Server("web-01", "10.0.1.11", "web-team", 3),
    Server("web-02", "10.0.1.12", "web-team", 3),
    Server("web-03", "10.0.1.13", "web-team", 3),
    Server("app-01", "10.0.2.21", "platform", 4),
    Server("app-02", "10.0.2.22", "platform", 4),
    Server("db-01", "10.0.3.31", "dba", 5),
    # Every interactive login to the other servers goes through the bastion, so its address shows up in their
    # auth logs.
    Server("bastion-01", "10.0.0.9", "secops", 4),
)

PEOPLE: tuple[Person, ...] = (
    Person("alice", "ws-alice", "10.0.0.5", 2),
    Person("bob", "ws-bob", "10.0.0.6", 1),
    Person("carol", "ws-carol", "10.0.0.7", 2),
    Person("dave", "ws-dave", "10.0.0.8", 1),
    Person("erin", "ws-erin", "10.0.0.10", 1),
)

BASTION = SERVERS[-1]
WEB_HOSTS: tuple[str, ...] = ("web-01", "web-02", "web-03")
APP_HOSTS: tuple[str, ...] = ("app-01", "app-02")
SECURE_HOSTS: tuple[str, ...] = ("bastion-01", "db-01", "web-01")
SPLUNK_HOST = "sandbox"

# Internet hosts that brute-force SSH, from the documentation ranges (RFC 5737).
ATTACKERS: tuple[str, ...] = ("203.0.113.5", "203.0.113.77", "198.51.100.23", "198.51.100.140")
