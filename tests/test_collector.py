"""The collector pause of heavy jobs: off while any of them runs, back as it was after."""

from __future__ import annotations

import gc

from isms_tui.services.collector import collector_paused


def test_overlapping_jobs_turn_the_collector_back_on_only_when_the_last_ends():
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second job still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_in_the_job_still_turns_it_back_on():
    try:
        with collector_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()
