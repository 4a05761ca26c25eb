"""What every tool that writes knowledge objects shares: the caller's namespace, and one wording for Splunk's refusal.

A write goes to the app and owner of the request's config (``X-Splunk-App`` / ``X-Splunk-Owner``), and a 403 from
Splunk becomes an error that names what was refused, where, and what to ask for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mcp_splunk.errors import SplunkPermissionDenied
from mcp_splunk.tools.base import BaseTool
from mcp_splunk.tools.splunk_client import SplunkClient


class NamespacedWriteTool(BaseTool):
    objects: ClassVar[str]  # what is written, in the plural: "saved searches", "dashboards"
    access: ClassVar[str] = "write access"  # what to ask a Splunk admin for

    @staticmethod
    def namespace(splunk: SplunkClient) -> dict[str, str]:
        return {"owner": splunk.config.owner, "app": splunk.config.app}

    async def write(self, splunk: SplunkClient, operation: Any, *args: Any) -> Any:
        ns = self.namespace(splunk)
        try:
            return await splunk.run(operation, *args, **ns)
        except SplunkPermissionDenied as exc:
            said = exc.message.removeprefix("Splunk refused: ")
            raise SplunkPermissionDenied(
                f"Splunk refused this identity the change to {self.objects} in app '{ns['app']}': {said} Ask a "
                f"Splunk admin for {self.access}, or use an account that has it.",
                exc.status,
            ) from None
