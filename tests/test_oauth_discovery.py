"""OAuth 2.0 Protected Resource Metadata (RFC 9728) with JWT auth: an MCP client that follows the authorization spec
finds the authorization server from the gateway's 401 and gets in, with no token configured by hand."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.auth import ClientCredentialsOAuthProvider
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_splunk._serving import ThreadServer, listen_socket, socket_port, uvicorn_config
from mcp_splunk.app import create_gateway
from mcp_splunk.auth import TimeCheckedJWTVerifier, build_auth
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.settings import GatewaySettings, Settings
from tests.support import ACCEPT, running_gateway, sandbox_defaults

KEYS = RSAKeyPair.generate()
SCOPE = "splunk:read"
CLIENT_ID, CLIENT_SECRET = "agent-7", "agent-7-secret-4f1c"
METADATA = "/.well-known/oauth-protected-resource"


@dataclass
class AuthorizationServer:
    """A minimal OAuth authorization server: RFC 8414 metadata and a client_credentials token endpoint that signs
    JWTs for the resource the client asks for."""

    sock: Any = field(default_factory=lambda: listen_socket("127.0.0.1", 0))
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        # An issuer with a path, like a Keycloak realm's. (A bare origin is advertised as "origin/", since metadata
        # URLs are pydantic URLs, and the mcp SDK 2.3 client then compares it with the issuer string as is.)
        return f"http://127.0.0.1:{socket_port(self.sock)}/tenant-a"

    async def metadata(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "response_types_supported": ["code"],
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def token(self, request: Request) -> JSONResponse:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.token_requests.append(form)
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = KEYS.create_token(
            subject=CLIENT_ID, issuer=self.url, audience=form.get("resource"), scopes=form.get("scope", "").split()
        )
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/oauth-authorization-server/tenant-a", self.metadata),  # RFC 8414 section 3.1
                Route("/tenant-a/token", self.token, methods=["POST"]),
            ]
        )


@dataclass
class Served:
    base: str
    authorization_server: AuthorizationServer

    @property
    def url(self) -> str:
        return f"{self.base}/mcp"


@pytest.fixture(scope="module")
def served(sandbox: Sandbox) -> Iterator[Served]:
    """The authorization server and a JWT gateway whose public URL is where it listens (known before it starts)."""
    issuer = AuthorizationServer()
    idp = ThreadServer(uvicorn_config(issuer.app()), issuer.sock)
    idp.start()
    sock = listen_socket("127.0.0.1", 0)
    base = f"http://127.0.0.1:{socket_port(sock)}"
    settings = GatewaySettings(
        auth="jwt",
        jwt_public_key=KEYS.public_key,
        jwt_issuer=issuer.url,
        jwt_audience=f"{base}/mcp",
        jwt_required_scopes=SCOPE,
        public_url=base,
    )
    gateway = create_gateway(Settings(sandbox_defaults(sandbox), settings))
    server = ThreadServer(uvicorn_config(gateway.http_app()), sock)
    server.start()
    try:
        yield Served(base, issuer)
    finally:
        server.stop()
        gateway.close()
        idp.stop()


def expected_metadata(served: Served) -> dict[str, Any]:
    return {
        "resource": served.url,
        "authorization_servers": [served.authorization_server.url],
        "scopes_supported": [SCOPE],
        "bearer_methods_supported": ["header"],
        "resource_name": "mcp-splunk",
    }


@pytest.mark.parametrize("path", [f"{METADATA}/mcp", METADATA], ids=["path-suffixed", "root"])
def test_the_metadata_names_the_resource_its_authorization_server_and_scopes(served: Served, path: str) -> None:
    response = httpx.get(f"{served.base}{path}")
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if v is not None} == expected_metadata(served)


def test_a_401_points_at_the_metadata(served: Served) -> None:
    response = httpx.post(
        served.url, headers={"Accept": ACCEPT}, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    )
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert f'resource_metadata="{served.base}{METADATA}/mcp"' in challenge
    assert f'scope="{SCOPE}"' in challenge


async def test_an_mcp_client_discovers_the_authorization_server_from_the_401_and_gets_in(served: Served) -> None:
    auth = ClientCredentialsOAuthProvider(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scopes=[SCOPE], issuer=served.authorization_server.url
    )
    async with Client(StreamableHttpTransport(served.url, auth=auth)) as client:
        info = (await client.call_tool("user_agent_info", {})).structured_content
    assert info["transport"]
    [token_request] = served.authorization_server.token_requests
    assert token_request["grant_type"] == "client_credentials"
    assert token_request["resource"] == served.url  # RFC 8707: the resource the metadata named


def test_the_metadata_passes_the_host_checks_and_answers_the_public_name(sandbox: Sandbox) -> None:
    settings = {
        "auth": "jwt",
        "jwt_public_key": KEYS.public_key,
        "jwt_issuer": "https://idp.example",
        "public_url": "https://mcp.example.com",
    }
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        public = httpx.get(f"{gateway.base}{METADATA}/mcp", headers={"Host": "mcp.example.com"})
        foreign = httpx.get(f"{gateway.base}{METADATA}/mcp", headers={"Host": "evil.example"})
        browser = httpx.get(f"{gateway.base}{METADATA}", headers={"Origin": "https://evil.example"})
        mcp = httpx.post(
            gateway.url,
            headers={"Accept": ACCEPT, "Host": "mcp.example.com"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    assert public.status_code == 200
    assert public.json()["resource"] == "https://mcp.example.com/mcp"
    assert public.json()["authorization_servers"] == ["https://idp.example/"]
    assert foreign.status_code == 421
    assert browser.status_code == 403
    assert mcp.status_code == 401  # the public name passes the Host check, then the token is asked for
    challenge = mcp.headers["www-authenticate"]
    assert 'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"' in challenge


@pytest.mark.parametrize(
    "settings",
    [
        {"jwt_issuer": "https://idp.example"},  # no public URL: the resource cannot be named
        {"jwt_issuer": "corp-idp", "public_url": "https://mcp.example.com"},  # no authorization server is known
    ],
    ids=["no-public-url", "no-authorization-server"],
)
def test_without_a_public_url_and_an_authorization_server_no_metadata_is_offered(settings: dict[str, str]) -> None:
    auth = build_auth(GatewaySettings(auth="jwt", jwt_public_key=KEYS.public_key, **settings))
    assert type(auth) is TimeCheckedJWTVerifier
    assert auth.get_routes("/mcp") == []


def test_the_authorization_servers_setting_wins_over_the_issuer() -> None:
    auth = build_auth(
        GatewaySettings(
            auth="jwt",
            jwt_public_key=KEYS.public_key,
            jwt_issuer="https://idp.example",
            jwt_authorization_servers="https://login.example.com/tenant-a",
            public_url="https://mcp.example.com",
        )
    )
    [route, *_] = auth.get_routes("/mcp")
    assert [str(url) for url in auth.authorization_servers] == ["https://login.example.com/tenant-a"]  # type: ignore[attr-defined]
    assert route.path == f"{METADATA}/mcp"  # type: ignore[attr-defined]
