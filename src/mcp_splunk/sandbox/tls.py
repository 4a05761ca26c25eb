"""A throwaway certificate authority and server certificate for the sandbox's https mode.

Generated at start with ``trustme`` (built on ``cryptography``), never hand-rolled. The CA certificate is
written next to the server's files so that clients can verify the sandbox with it (``SPLUNK_CA_BUNDLE``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True, slots=True)
class SandboxCertificate:
    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path


def issue_certificate(hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> SandboxCertificate:
    directory = Path(tempfile.mkdtemp(prefix="mcp-splunk-sandbox-tls-"))
    authority = trustme.CA(organization_name="mcp-splunk sandbox")
    server = authority.issue_cert(*hosts)
    ca_file = directory / "ca.pem"
    cert_file = directory / "server.pem"
    key_file = directory / "server.key"
    authority.cert_pem.write_to_path(str(ca_file))
    server.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    server.private_key_pem.write_to_path(str(key_file))
    key_file.chmod(0o600)
    return SandboxCertificate(directory, ca_file, cert_file, key_file)
