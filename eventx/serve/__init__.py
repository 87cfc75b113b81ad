"""``eventx serve``: a live rule playground in the browser.

:class:`~eventx.serve.session.Session` holds the pack and a corpus sample and does the work
(analyse the unsaved buffers, explain a sentence, save a file);
:mod:`eventx.serve.http` serves the page in ``assets/`` and a JSON API over it, to the local
machine only unless told otherwise.
"""

from eventx.serve.http import PlaygroundServer, make_server, serve_in_thread
from eventx.serve.session import Analysis, SaveRefused, Session

__all__ = ["Analysis", "PlaygroundServer", "SaveRefused", "Session", "make_server", "serve_in_thread"]
