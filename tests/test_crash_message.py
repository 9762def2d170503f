from isms_tui.app import IsmsApp, _write_crash_log


def test_crash_log_keeps_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path))
    try:
        raise RuntimeError("simulated failure")
    except RuntimeError as exc:
        path = _write_crash_log(exc)
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
