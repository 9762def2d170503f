"""Writing an export file so that a crash leaves the old file or the new one, never half of one.

Exports hold ISMS data: a new file is readable by its owner only; a file that is replaced
keeps the permissions its owner gave it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError


def check_target(path: Path) -> None:
    """Refuse, in one sentence, a path an export cannot be written to."""
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file name for the export.")
    if not path.parent.is_dir():
        raise InputError(f"The folder {path.parent} does not exist.")


@contextmanager
def replace_atomically(path: Path, **open_args: Any) -> Iterator[IO[Any]]:
    """A file object for the new content of `path`; `path` is replaced only if the block succeeds.

    `open_args` go to `open` (default binary: pass encoding= and newline= for text).
    """
    check_target(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    mode = "w" if "encoding" in open_args else "wb"
    try:
        with os.fdopen(fd, mode, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
