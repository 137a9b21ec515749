"""Who acts, and from where: the one ``Actor`` type every service takes.

A web request, the command line, the admin and (later) the API all build an ``Actor``; a
service checks its permission through ``jixiao.access`` and writes its change-log row with it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

# How an action reached the system; the change log records it.
WEB = "web"
CLI = "cli"
ADMIN = "admin"
API = "api"
SYSTEM = "system"
# A background job (jixiao.jobs) doing what a person asked for, as that person.
JOB = "job"


@dataclass(frozen=True)
class Actor:
    """The person behind a change, or the server operator at the command line.

    ``operator`` is true for the command line: its user is whoever runs the server, who may
    do everything (``jixiao --help`` says so). A web actor is never an operator, superuser or not.
    """

    user: User | None
    via: str = WEB
    ip: str = ""
    request_id: str = ""
    operator: bool = False
    # The name the change log keeps when there is no user (the OS account at the command line).
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str = WEB) -> Actor:
        """The logged-in person of a request, with its address and request id."""
        user: Any = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls(
            user=user,
            via=via,
            ip=client_ip(request),
            request_id=getattr(request, "request_id", "") or "",
        )

    @classmethod
    def command_line(cls, user: User | None = None) -> Actor:
        """The server operator running a ``jixiao`` command (optionally naming a user)."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
            who = "?"
        return cls(user=user, via=CLI, operator=True, label=f"命令行（{who}）")

    @classmethod
    def system(cls, label: str = "系统") -> Actor:
        """The system itself (the demo loader, a migration), with the operator's rights."""
        return cls(user=None, via=SYSTEM, operator=True, label=label)

    @property
    def user_id(self) -> int | None:
        """The acting user's id, None for the operator or the system."""
        return None if self.user is None else self.user.pk

    @property
    def name(self) -> str:
        """Who acted, as the change log and the pages show it."""
        if self.user is not None:
            full = (self.user.get_full_name() or "").strip()
            return f"{full}（{self.user.username}）" if full else self.user.username
        return self.label or "系统"


def client_ip(request: HttpRequest) -> str:
    """The client's address: the proxy's ``X-Forwarded-For`` when the setting trusts it."""
    from django.conf import settings

    if getattr(settings, "JIXIAO_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The proxy appends the address it saw; the right-most entry is the one it vouches for.
            return str(forwarded).split(",")[-1].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]
