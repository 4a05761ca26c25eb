"""Knowledge objects (saved searches, views, macros, lookups, KV Store collections) and who may see them.

One generic collection implements splunkd's sharing model for every kind: private objects (``sharing=user``)
are seen by their owner only, app objects in their app, global ones everywhere; ``perms.read`` and
``perms.write`` list roles, ``*`` meaning everyone; ``admin_all_objects`` may write anything. As in splunkd, an
object is identified by its name, app and owner, so two users may each keep a private object of the same name;
reading a name picks the most specific one: private, then the app's own, then a global one; in a wildcard
namespace (``servicesNS/-/-``) every readable object of that name answers, as splunkd lists them all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from mcp_splunk.sandbox.accounts import Accounts, User
from mcp_splunk.sandbox.rest.entries import Acl
from mcp_splunk.sandbox.rest.replies import SplunkdError, not_found

_APP_WRITERS = frozenset({"admin", "power"})  # the write permission of the stock apps


@dataclass(slots=True)
class KnowledgeObject:
    name: str
    acl: Acl
    content: dict[str, Any] = field(default_factory=dict)
    updated: float = 0.0


@dataclass(frozen=True, slots=True)
class Namespace:
    """The owner/app context of a request: ``/servicesNS/<owner>/<app>/`` or the user's defaults."""

    owner: str
    app: str

    @classmethod
    def of(cls, owner: str | None, app: str | None, user: User) -> Namespace:
        return cls(owner or user.name, app or user.default_app)


ObjectKey = tuple[str, str, str]  # name, app, owner ("nobody" for shared objects)


def _key(obj: KnowledgeObject) -> ObjectKey:
    return obj.name, obj.acl.app, obj.acl.namespace_owner


class ObjectCollection:
    def __init__(self, handler: str, accounts: Accounts) -> None:
        self.handler = handler  # the name splunkd uses in "In handler '<x>'" messages
        self._accounts = accounts
        self._lock = threading.RLock()
        self._objects: dict[ObjectKey, KnowledgeObject] = {}

    def put(self, obj: KnowledgeObject) -> None:
        with self._lock:
            self._objects[_key(obj)] = obj

    def all(self) -> list[KnowledgeObject]:
        with self._lock:
            return list(self._objects.values())

    def can_read(self, obj: KnowledgeObject, user: User) -> bool:
        if obj.acl.sharing == "user" and obj.acl.owner != user.name:
            return "admin_all_objects" in self._accounts.capabilities(user)
        return "*" in obj.acl.read or bool(self._accounts.role_names(user) & set(obj.acl.read))

    def can_write(self, obj: KnowledgeObject, user: User) -> bool:
        if "admin_all_objects" in self._accounts.capabilities(user) or obj.acl.owner == user.name:
            return True
        return "*" in obj.acl.write or bool(self._accounts.role_names(user) & set(obj.acl.write))

    def visible(self, user: User, ns: Namespace) -> list[KnowledgeObject]:
        return [o for o in self.all() if self._in_namespace(o, ns) and self.can_read(o, user)]

    @staticmethod
    def _in_namespace(obj: KnowledgeObject, ns: Namespace) -> bool:
        app_ok = obj.acl.sharing in ("global", "system") or ns.app in ("-", obj.acl.app)
        owner_ok = obj.acl.sharing != "user" or ns.owner in ("-", obj.acl.owner)
        return app_ok and owner_ok

    def _readable(self, name: str, user: User, ns: Namespace) -> list[KnowledgeObject]:
        with self._lock:
            candidates = [o for o in self._objects.values() if o.name == name]
        readable = [o for o in candidates if self._in_namespace(o, ns) and self.can_read(o, user)]
        if not readable:
            raise not_found(self.handler, name)
        return sorted(readable, key=lambda o: (o.acl.sharing != "user", o.acl.app != ns.app, o.acl.app))

    def get(self, name: str, user: User, ns: Namespace) -> KnowledgeObject:
        return self._readable(name, user, ns)[0]

    def find(self, name: str, user: User, ns: Namespace) -> list[KnowledgeObject]:
        """What a GET of ``name`` answers: every match in a wildcard namespace, else the most specific one."""
        found = self._readable(name, user, ns)
        return found if "-" in (ns.owner, ns.app) else found[:1]

    def create(self, name: str, user: User, ns: Namespace, content: dict[str, Any], now: float) -> KnowledgeObject:
        if not name:
            raise SplunkdError(400, "Missing argument: name")
        if ns.app == "-" or ns.owner == "-":
            raise SplunkdError(400, "Cannot create an object in a wildcard namespace.")
        shared = ns.owner == "nobody"
        self._check_create(user, ns, shared)
        acl = Acl(
            owner="nobody" if shared else user.name,
            app=ns.app,
            sharing="app" if shared else "user",
            read=("*",),
            write=("admin", "power") if shared else (user.name,),
            removable=True,
        )
        obj = KnowledgeObject(name, acl, content, now)
        with self._lock:
            if _key(obj) in self._objects:
                raise SplunkdError(409, f"In handler '{self.handler}': An object with name={name} already exists")
            self._objects[_key(obj)] = obj
        return obj

    def _check_create(self, user: User, ns: Namespace, shared: bool) -> None:
        """Sharing in an app needs the app's write permission (admin and power in the stock apps); a private
        object can only be made in one's own namespace, unless one administers all objects."""
        if "admin_all_objects" in self._accounts.capabilities(user):
            return
        if shared and not self._accounts.role_names(user) & _APP_WRITERS:
            raise SplunkdError(
                403, f"You (user={user.name}) do not have permission to create objects shared in app '{ns.app}'."
            )
        if not shared and ns.owner != user.name:
            raise SplunkdError(403, f"You (user={user.name}) cannot create objects owned by '{ns.owner}'.")

    def update(
        self, name: str, user: User, ns: Namespace, change: Callable[[dict[str, Any]], None], now: float
    ) -> KnowledgeObject:
        with self._lock:
            obj = self.get(name, user, ns)
            if not self.can_write(obj, user):
                raise SplunkdError(403, f"You do not have permission to modify {self.handler} object {name}.")
            content = dict(obj.content)
            change(content)
            updated = replace(obj, content=content, updated=now)
            self._objects[_key(obj)] = updated
        return updated

    def set_acl(self, name: str, user: User, ns: Namespace, change: AclChange, now: float) -> KnowledgeObject:
        """splunkd's ``<object>/acl`` POST: new sharing, owner and permissions for one object."""
        with self._lock:
            obj = self.get(name, user, ns)
            admin = "admin_all_objects" in self._accounts.capabilities(user)
            if not self.can_write(obj, user):
                raise SplunkdError(403, f"You do not have permission to modify {self.handler} object {name}.")
            if change.owner != obj.acl.owner and not admin:
                raise SplunkdError(403, f"You (user={user.name}) cannot give objects to other owners.")
            if change.sharing != "user":
                self._check_create(user, Namespace("nobody", obj.acl.app), shared=True)
            was_private = obj.acl.sharing == "user"
            acl = replace(
                obj.acl,
                owner=change.owner,
                sharing=change.sharing,
                read=change.read or (("*",) if was_private else obj.acl.read),
                write=change.write or (("admin", "power") if was_private else obj.acl.write),
            )
            moved = replace(obj, acl=acl, updated=now)
            if _key(moved) != _key(obj) and _key(moved) in self._objects:
                raise SplunkdError(409, f"In handler '{self.handler}': An object with name={name} already exists")
            del self._objects[_key(obj)]
            self._objects[_key(moved)] = moved
        return moved

    def remove_app(self, app: str) -> None:
        with self._lock:
            self._objects = {k: o for k, o in self._objects.items() if o.acl.app != app}

    def delete(self, name: str, user: User, ns: Namespace) -> None:
        with self._lock:
            obj = self.get(name, user, ns)
            if not self.can_write(obj, user) or not obj.acl.removable:
                raise SplunkdError(403, f"You do not have permission to delete {self.handler} object {name}.")
            del self._objects[_key(obj)]


@dataclass(frozen=True, slots=True)
class AclChange:
    sharing: str
    owner: str
    # Empty: keep the object's perms; a private object being shared gets read * and write admin, power.
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()


def purge_app(collections: Iterable[ObjectCollection], app: str) -> None:
    """Drop every object that lives in ``app`` (deleting an app deletes its directory in splunkd)."""
    for collection in collections:
        collection.remove_app(app)


def shared_acl(
    app: str = "search",
    *,
    owner: str = "nobody",
    removable: bool = True,
    write: Iterable[str] = ("admin", "power"),
) -> Acl:
    return Acl(owner=owner, app=app, sharing="app", read=("*",), write=tuple(write), removable=removable)
