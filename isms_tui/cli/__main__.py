"""`python -m isms_tui.cli`: the same command as `isms`."""

from isms_tui.cli import main

main()
