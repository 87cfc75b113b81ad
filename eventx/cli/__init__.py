"""The ``eventx`` command line: a thin typer layer over :mod:`eventx.api`.

One module per command (or group of related commands); each registers itself on the shared
app in :mod:`eventx.cli.app` when imported here.
"""

from eventx.cli import run as _run  # noqa: F401  (each import registers its commands)
from eventx.cli import test as _test  # noqa: F401
from eventx.cli import check as _check  # noqa: F401
from eventx.cli import explain as _explain  # noqa: F401
from eventx.cli import coverage as _coverage  # noqa: F401
from eventx.cli import diff as _diff  # noqa: F401
from eventx.cli import schema as _schema  # noqa: F401
from eventx.cli import stats as _stats  # noqa: F401
from eventx.cli import report as _report  # noqa: F401
from eventx.cli import serve as _serve  # noqa: F401
from eventx.cli.app import app, main


__all__ = ["app", "main"]
