"""How strong a new signing passphrase must be, and which passphrases are text at all.

Why an estimator and not a length rule: "password1" passes any length rule. zxcvbn scores a
passphrase by how it would be guessed (dictionaries, keyboard patterns, dates, repeats, the
organisation's own name) on a scale of 0 to 4; a new key needs at least 3 ("safely
unguessable": about 10^8 guesses or more). The PKCS#12 MAC lets an attacker with the file test
guesses offline, so the passphrase's strength is what protects the key.

zxcvbn is imported only when a new passphrase is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from isms_tui.services.errors import InputError

MIN_SCORE = 3  # of zxcvbn's 0..4
MAX_CHECKED = 256  # zxcvbn's matching grows fast with length; beyond this a passphrase is strong by length


def is_text(value: str) -> bool:
    """Whether `value` can be encoded as UTF-8 (an environment value holding undecodable bytes
    arrives with lone surrogates, which would fail only later, inside the key code)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_new_passphrase(passphrase: str, context: Iterable[str] = ()) -> None:
    """InputError (one sentence, with zxcvbn's advice) unless the passphrase scores MIN_SCORE or more.

    `context` holds words an attacker would try first (the organisation's name).
    """
    if not passphrase:
        raise InputError("The passphrase must not be empty.")
    if not is_text(passphrase):
        raise InputError("The passphrase is not valid UTF-8 text.")
    if len(passphrase) > MAX_CHECKED:
        return
    from zxcvbn import zxcvbn

    words: list[str] = []
    for item in context:  # the name as typed, its words, and its words run together
        parts = item.split()
        words.extend([item, *parts, "".join(parts)])
    result: dict[str, Any] = zxcvbn(passphrase, user_inputs=words)
    score = int(result.get("score", 0))
    if score >= MIN_SCORE:
        return
    advice = _advice(result.get("feedback") or {})
    raise InputError(
        f"The passphrase is too easy to guess (strength {score} of 4, at least {MIN_SCORE} needed)"
        + (f": {advice}." if advice else "; use several uncommon words.")
    )


def _advice(feedback: dict[str, Any]) -> str:
    """zxcvbn's warning and suggestions as one clause: lower-case starts, joined by semicolons."""
    parts = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    clauses = [" ".join(str(p).split()).rstrip(".").replace(". ", ", ") for p in parts if str(p).strip()]
    return "; ".join(c[0].lower() + c[1:] for c in clauses)
