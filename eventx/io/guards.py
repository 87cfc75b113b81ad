"""Refuse, before anything is written, a run whose output would overwrite, mix with or be
read as its own input.

* ``-o`` or ``--errors`` naming an input file, or a file inside an input directory that the run
  would read as a document: refused (the output would replace the corpus; the errors file is
  emptied at the start of a run). A new file inside an input directory is fine: eventx
  recognises its own outputs and never reads them (:mod:`eventx.io.own`).
* ``--errors`` equal to ``-o`` or to one of the output's sidecar files: refused.
* An input file that is itself an eventx output (an event log or errors file): refused.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from eventx.errors import InputError
from eventx.io.own import is_eventx_output
from eventx.io.readers import read_as_document
from eventx.io.writers import is_stream, sidecars

__all__ = ["check_run_paths"]


def _real(path: str) -> str:
    return os.path.realpath(path)


def _inside(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def check_run_paths(inputs: Sequence[str], output: str | None, errors: str | None) -> None:
    """Raise InputError when ``output``/``errors`` and ``inputs`` collide (see module doc)."""
    files: dict[str, str] = {}
    dirs: dict[str, str] = {}
    for inp in inputs:
        if inp == "-":
            continue
        real = _real(inp)
        if os.path.isdir(real):
            dirs[real] = inp
        else:
            files[real] = inp
            if os.path.isfile(real) and is_eventx_output(real):
                raise InputError(f"{inp}: this is an eventx output (an event log or errors file), not a corpus")
    written = {}
    if output is not None and not is_stream(output):
        written[_real(output)] = ("-o", output)
        for sidecar in sidecars(output):
            written.setdefault(_real(sidecar), ("-o", output))
    if errors is not None:
        real = _real(errors)
        if real in written:
            raise InputError(f"--errors {errors}: this is the output (-o {output}) or one of its working files; name another file")
        written[real] = ("--errors", errors)
    for real, (option, given) in written.items():
        if real in files:
            raise InputError(f"{option} {given}: this is also an input ({files[real]}); writing it would destroy the input")
        for directory, inp in dirs.items():
            if _inside(real, directory) and os.path.isfile(real) and read_as_document(real, directory):
                raise InputError(
                    f"{option} {given}: this file is inside the input directory {inp} and is read as documents;"
                    " writing it would destroy an input: write elsewhere"
                )
