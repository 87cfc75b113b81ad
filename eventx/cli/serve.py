"""``eventx serve``: the live rule playground (see :mod:`eventx.serve`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from eventx.cli.app import app, fail, keep_until_exit, stderr_console
from eventx.errors import EventxError


@app.command()
def serve(
    rules: Annotated[Optional[Path], typer.Argument(help="Rule file or directory to edit (default: the shipped pack).", show_default=False)] = None,
    corpus: Annotated[Optional[list[str]], typer.Argument(help="Corpus files or directories: the sample the rules run on as you type.", show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Anything but a loopback address lets others on the network edit the pack.")] = "127.0.0.1",
    sample: Annotated[int, typer.Option("--sample", min=0, help="Documents of the corpus to keep in memory and run on every edit.")] = 200,
) -> None:
    """Edit rules in the browser with live results: problems, sample matches, examples, a diff
    against the saved pack, and any sentence explained. Ctrl+C stops it.

    Example: eventx serve rules/ corpora/sample
    """
    from eventx.serve import Session, make_server

    console = stderr_console()
    try:
        session = Session(rules, list(corpus or []), sample=sample)
    except EventxError as err:
        raise fail(err)
    keep_until_exit()  # the saved pack, the sample's tokens and traces live as long as the server
    try:
        server = make_server(session, host, port)
    except OSError as err:
        console.print(f"error: cannot listen on {host}:{port}: {err.strerror or err}", markup=False)
        raise typer.Exit(2)
    if not server.loopback:
        console.print(f"warning: listening on {host}: anyone who can reach it can read and change the rules", markup=False)
    assert session.saved is not None  # built when the session opens
    errors = session.saved.errors
    console.print(
        f"{session.target}: {len(session.files())} file(s), {len(session.documents)} sample document(s), "
        f"{len(session.saved_events)} event(s)" + (f", {errors} error(s)" if errors else ""),
        markup=False,
    )
    typer.echo(f"eventx serve: {server.url}  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
