"""Reading a file a user names: a regular file only, at most N bytes, one sentence otherwise.

Every path a person (or a hostile insider) can hand to isms goes through here: evidence to
attach, CSV and JSON imports, passphrase files, keys and certificates, the recent-workspaces
list, and the files of the evidence store. A named pipe would block a plain open() forever,
/dev/zero would fill the memory, a directory or socket gives a confusing error, and a size
checked before opening says nothing about what is read after. So:

- the path is looked at first (so a device is never even opened), then opened with
  O_NONBLOCK (a FIFO swapped in after that look cannot block the open), and the open
  descriptor itself is checked with fstat: what was opened is what is read;
- `follow=False` adds O_NOFOLLOW, for places that must never leave a folder (the store);
- reads stop at `max_bytes` + 1 bytes, whatever the file claimed to be when opened.

This module sits below every layer (it imports nothing from isms_tui), so the CLI, the
services, the reports and `isms verify` can all use it without loading the data layer.
Failures are `UserFileError`s, whose text is one sentence; callers wrap them in their own
error type where they need one.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path

CHUNK = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


class UserFileError(ValueError):
    """A user-given file that cannot be read as a regular file; str() is one sentence.

    `reason` is the sentence without its subject ("is a named pipe, not a file; ..."), so a
    caller can name the file its own way; `too_large` tells the size refusal apart.
    """

    def __init__(self, label: str, reason: str, *, too_large: bool = False, kind: str | None = None) -> None:
        super().__init__(f"{label} {reason}.")
        self.label = label
        self.reason = reason
        self.too_large = too_large
        self.kind = kind  # "a named pipe", "a symbolic link"... when the file is not a regular file


def kind_of(mode: int) -> str:
    """What a file of this st_mode is, in words ("a named pipe")."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def size_words(size: int) -> str:
    """A size for a refusal message: '312 bytes', '50 MB', '1.5 GB' (binary units)."""
    if size < 1024:
        return f"{size} bytes"
    for unit, shift in (("GB", 30), ("MB", 20), ("KB", 10)):
        if size >= 1 << shift:
            return f"{round(size / (1 << shift), 1):g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def open_regular(
    path: str | Path,
    *,
    what: str = "file",
    advice: str = "",
    follow: bool = True,
    dir_fd: int | None = None,
    label: str | None = None,
) -> tuple[int, os.stat_result]:
    """Open `path` for reading if it is a regular file: (descriptor, its fstat), blocking mode.

    A symbolic link is followed and its target checked, unless `follow` is False, when the
    link itself is refused. `what` and `advice` word the refusal: "x is a named pipe, not a
    {what}; {advice}." The caller closes the descriptor.
    """
    name = label if label is not None else str(path)

    def not_regular(mode: int) -> UserFileError:
        kind = kind_of(mode)
        return UserFileError(name, f"is {kind}, not a {what}" + (f"; {advice}" if advice else ""), kind=kind)

    try:
        seen = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow)
    except OSError as exc:
        raise _os_error(name, exc) from None
    except ValueError:  # a NUL byte in the name
        raise UserFileError(name, "is not a valid file name") from None
    if not stat.S_ISREG(seen.st_mode):
        raise not_regular(seen.st_mode)
    flags = _OPEN_FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise not_regular(stat.S_IFLNK) from None  # swapped for a link after the look
        if exc.errno == errno.ENXIO:
            raise not_regular(stat.S_IFSOCK) from None  # swapped for a socket
        raise _os_error(name, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(st.st_mode)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_bounded(fd: int, max_bytes: int) -> bytes | None:
    """Everything `fd` holds, or None as soon as it proves longer than `max_bytes`."""
    parts: list[bytes] = []
    size = 0
    while chunk := os.read(fd, min(CHUNK, max_bytes + 1 - size)):
        parts.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return None
    return b"".join(parts)


def read_user_file(
    path: str | Path,
    *,
    max_bytes: int,
    what: str = "file",
    advice: str = "give a regular file",
    follow: bool = True,
    label: str | None = None,
) -> bytes:
    """The content of the regular file `path`, at most `max_bytes`; UserFileError otherwise."""
    name = label if label is not None else str(path)
    fd, st = open_regular(path, what=what, advice=advice, follow=follow, label=name)
    try:
        if st.st_size > max_bytes:
            raise _too_large(name, max_bytes)
        try:
            data = read_bounded(fd, max_bytes)
        except OSError as exc:
            raise _os_error(name, exc) from None
    finally:
        os.close(fd)
    if data is None:  # it grew after fstat
        raise _too_large(name, max_bytes)
    return data


def _too_large(name: str, max_bytes: int) -> UserFileError:
    return UserFileError(name, f"is larger than {size_words(max_bytes)}", too_large=True)


def _os_error(name: str, exc: OSError) -> UserFileError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return UserFileError(name, "does not exist")
    if exc.errno == errno.ELOOP:
        return UserFileError(name, "is a loop of symbolic links, not a file", kind="a symbolic link loop")
    return UserFileError(name, f"cannot be read: {exc.strerror or exc}")
