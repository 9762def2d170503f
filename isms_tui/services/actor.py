"""Who is acting: the name journaled as the actor and recorded as entered or issued by.

One rule for the CLI and the TUI: a name given for this run (`--as NAME`, else the
`ISMS_ACTOR` environment variable) wins, else the workspace's person ("You are" in
Settings), else the login name, labelled as such ("login:alice") so that nobody mistakes an
account for a person. No database access here: the callers pass the workspace's person in.
"""

from __future__ import annotations

import os
import re

from .errors import InputError

ENV_VAR = "ISMS_ACTOR"
LOGIN_PREFIX = "login:"
MAX_ACTOR_CHARS = 120

# The same characters models/sanitize.py keeps out of the workspace; repeated here so that
# the TUI can name its actor before the data layer is imported.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def named(name: str, source: str = "--as") -> str:
    """A person's name given for this run, cleaned; one sentence when it names nobody."""
    cleaned = " ".join(_UNWANTED.sub("", name).split())
    if not cleaned:
        raise InputError(f"{source} needs a person's name.")
    if len(cleaned) > MAX_ACTOR_CHARS:
        raise InputError(f"{source} has {len(cleaned)} characters; a name has at most {MAX_ACTOR_CHARS}.")
    return cleaned


def explicit(option: str | None) -> str | None:
    """The name given for this run: the option, else ISMS_ACTOR (an empty variable is unset)."""
    if option is not None:
        return named(option)
    env = os.environ.get(ENV_VAR, "")
    return named(env, ENV_VAR) if env.strip() else None


def login_fallback() -> str:
    """The login name, labelled: the record says it is an account, not a named person."""
    import getpass

    try:
        login = getpass.getuser()
    except Exception:  # no login name in this environment (getpass raises several kinds)
        login = "unknown"
    return LOGIN_PREFIX + (_UNWANTED.sub("", login).strip() or "unknown")


def resolve(given: str | None, workspace_person: str | None) -> str:
    """The acting person: the name given for this run, else the workspace's, else the login."""
    if given:
        return given
    person = " ".join(_UNWANTED.sub("", workspace_person or "").split())
    return person or login_fallback()


def is_login_fallback(actor: str) -> bool:
    return actor.startswith(LOGIN_PREFIX)
