"""isms-tui: ISO/IEC 27001:2022 Clause 9 performance evaluation in the terminal."""

__version__ = "0.1.0"
