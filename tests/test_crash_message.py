from isms_tui.app import IsmsApp
from isms_tui.config import write_crash_log


def test_crash_log_keeps_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path))
    try:
        raise RuntimeError("simulated failure")
    except RuntimeError as exc:
        path = write_crash_log(exc)
    assert path is not None and path.parent == tmp_path / "logs"
    assert "simulated failure" in path.read_text()


def test_unexpected_error_outside_tests_becomes_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path))
    app = IsmsApp(tmp_path / "w.db")
    monkeypatch.setattr(IsmsApp, "is_headless", property(lambda self: False))
    monkeypatch.setattr(IsmsApp, "exit", lambda self, **kw: None)
    app._handle_exception(ValueError("boom"))
    assert app.return_code == 1
    assert app.error_message.startswith("isms-tui stopped on an unexpected error (ValueError)")
    assert str(tmp_path / "logs") in app.error_message


def _disk_full_from_sqlalchemy():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return OperationalError("INSERT INTO reading ...", {}, sqlite3.OperationalError("database or disk is full"))


def test_a_full_disk_while_opening_ends_in_one_sentence_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path))
    app = IsmsApp(tmp_path / "w.db")
    monkeypatch.setattr(IsmsApp, "exit", lambda self, **kw: None)
    app._handle_exception(_disk_full_from_sqlalchemy())
    assert app.error_message == "There is not enough space on the disk to write the workspace; nothing was changed."
    assert not (tmp_path / "logs").exists()  # not a crash: no crash log


def test_a_full_disk_in_an_open_app_is_a_notice_and_the_app_goes_on(tmp_path, monkeypatch):
    notices = []
    app = IsmsApp(tmp_path / "w.db")
    app.engine = object()  # an open workspace
    monkeypatch.setattr(IsmsApp, "notify", lambda self, message, **kw: notices.append(message))
    monkeypatch.setattr(IsmsApp, "exit", lambda self, **kw: notices.append("exit"))
    app._handle_exception(OSError(28, "No space left on device", str(tmp_path / "x.csv")))
    assert notices == [f"There is not enough space on the disk to write {tmp_path / 'x.csv'}; nothing was changed."]
    assert app.return_code is None
