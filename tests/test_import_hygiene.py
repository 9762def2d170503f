"""What each entry point may load: the deliberate lazy imports that keep start-up fast.

Each check runs in a fresh interpreter, because this test process has long since imported
everything. ARCHITECTURE.md lists these rules; a failure here means a module-level import
crept into a start-up path.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

DATA_LAYER = ("sqlalchemy", "sqlmodel", "alembic", "pydantic")
EXPORT_LAYER = (
    "reportlab",
    "pyhanko",
    "pyhanko_certvalidator",
    "cryptography",
    "zxcvbn",
    "openpyxl",
    "trestle",
)


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running CODE in a new interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_launch_loads_nothing_heavy():
    """`isms` decides between TUI and CLI before importing either."""
    assert not _loaded_after("import isms_tui.launch") & {"textual", "click", *DATA_LAYER, *EXPORT_LAYER}


def test_the_app_paints_before_the_data_layer_or_the_exports_load():
    """The shell is on screen before SQLAlchemy is imported (in a worker); packs load on export."""
    assert not _loaded_after("import isms_tui.app") & {*DATA_LAYER, *EXPORT_LAYER}


def test_cli_help_loads_neither_the_data_layer_nor_the_exports():
    code = (
        "from isms_tui.cli import main\n"
        "helps = (['--help'], ['keys', '--help'], ['verify', '--help'], ['pack', '--help'], ['export', '--help'])\n"
        "for args in helps:\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
    )
    assert not _loaded_after(code) & {*DATA_LAYER, *EXPORT_LAYER}


@pytest.mark.parametrize("package", ["models", "services", "reports", "catalogues"])
def test_lower_layers_never_load_textual(package: str):
    """Every module of the package, imported one by one, leaves Textual and Rich unloaded."""
    code = (
        "import importlib, pkgutil\n"
        f"import isms_tui.{package} as pkg\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if '.migrations.' not in info.name + '.':\n"
        "        importlib.import_module(info.name)\n"
    )
    assert not _loaded_after(code) & {"textual", "rich", "textual_plotext"}
