"""The sandbox's stock .conf files (those not derived from live objects), as a fresh Splunk would hold them.

Secret values are stored the way splunkd stores them, encrypted as ``$7$…``; a gateway must still mask them.
"""

from __future__ import annotations

from typing import Any

Stanzas = dict[str, dict[str, Any]]
STATIC_CONFS: dict[str, Stanzas] = {
    "server": {
        "general": {
            "serverName": "sandbox",
            "sessionTimeout": "1h",
            "pass4SymmKey": "$7$kR3hXy0bG4n1cR5mQ2v8Wd6zPq9sTf1uLx7aEj2Nc4o=",
        },
        "sslConfig": {
            "enableSplunkdSSL": "true",
            "sslVersions": "tls1.2",
            "sslPassword": "$7$Zm9vYmFyLXNhbmRib3gtc3NsLXBhc3N3b3JkLTAxMjM0NTY=",
        },
        "kvstore": {"port": "8191", "storageEngine": "wiredTiger"},
    },
    "web": {"settings": {"httpport": "8000", "mgmtHostPort": "127.0.0.1:8089", "enableSplunkWebSSL": "false"}},
    "props": {
        "access_combined": {
            "REPORT-access": "access-extractions",
            "SHOULD_LINEMERGE": "false",
            "TIME_FORMAT": "%d/%b/%Y:%H:%M:%S %z",
            "category": "Web",
        },
        "linux_secure": {
            "SHOULD_LINEMERGE": "false",
            "TIME_FORMAT": "%b %d %H:%M:%S",
            "category": "Operating System",
        },
        "_json": {"KV_MODE": "json", "INDEXED_EXTRACTIONS": "json", "category": "Structured"},
        "splunkd": {
            "EXTRACT-fields": "(?i)^\\S+\\s+\\S+\\s+\\S+\\s+(?<log_level>\\w+)\\s+(?<component>\\w+)",
            "category": "Splunk",
        },
    },
    "inputs": {
        "monitor:///var/log/nginx/access.log": {"index": "web", "sourcetype": "access_combined"},
        "monitor:///var/log/secure": {"index": "security", "sourcetype": "linux_secure"},
        "monitor:///var/log/app": {"index": "main", "sourcetype": "_json"},
    },
    "limits": {"search": {"max_count": "500000", "ttl": "600"}, "restapi": {"maxresultrows": "50000"}},
    "alert_actions": {
        "email": {
            "mailserver": "smtp.sandbox.example:587",
            "from": "splunk@sandbox.example",
            "auth_username": "splunk-alerts",
            "auth_password": "$7$c2FuZGJveC1zbXRwLXBhc3N3b3JkLXNlY3JldC0wMQ==",
        }
    },
    "authentication": {
        "authentication": {"authType": "Splunk", "authSettings": "corp_ldap"},
        "corp_ldap": {
            "host": "ldap.sandbox.example",
            "port": "636",
            "SSLEnabled": "1",
            "bindDN": "cn=splunk,ou=svc,dc=sandbox,dc=example",
            "bindDNpassword": "$7$bGRhcC1iaW5kLXBhc3N3b3JkLXNhbmRib3gtMDA5OQ==",
        },
    },
}

# The apps a fresh Splunk Enterprise has, plus the sandbox's own: (name, label, visible, description).
STOCK_APPS = (
    ("launcher", "Home", True, "The Splunk home app."),
    ("learned", "learned", False, "Sourcetypes learned at index time."),
    ("search", "Search & Reporting", True, "Search, report and alert on your data."),
    ("splunk_httpinput", "HTTP Event Collector", False, "The HTTP Event Collector input."),
    ("splunk_monitoring_console", "Monitoring Console", True, "Monitor the health of your deployment."),
    ("sandbox_sample_data", "Sandbox sample data", True, "Sample web, security and application data."),
)
