"""Standard JSON for the files a run writes (metrics.jsonl, metrics.json, summary.json).

Python's json module writes an infinite or nan float as ``Infinity`` or ``NaN``, which is not
JSON: JavaScript's parser and many tools refuse it. Here such a value of a dict is written as
``null``, and the dict gets a ``"non_finite"`` entry that keeps it as text:

    {"kl_to_uniform": inf}  <->  {"kl_to_uniform": null, "non_finite": {"kl_to_uniform": "inf"}}

A list that holds such a value is written as a dict of the same kind, keyed by position:

    [1.0, inf]  <->  {"list": [1.0, null], "non_finite": {"1": "inf"}}

:func:`loads` puts the float back, so what is read equals what was written."""

import json
import math
from pathlib import Path

from ugan.safe_files import replace_file

NON_FINITE = "non_finite"
LIST = "list"


def dumps(data, **options):
    """``data`` as standard JSON text (``options`` as for ``json.dumps``)."""
    return json.dumps(_encode(data), allow_nan=False, **options)


def loads(text):
    """What :func:`dumps` wrote."""
    return _decode(json.loads(text))


def write(path, data):
    """Write ``data`` to ``path`` as indented standard JSON, atomically and following no link
    (``ugan.safe_files``)."""
    replace_file(path, (dumps(data, indent=2) + "\n").encode())


def read(path):
    """What :func:`write` wrote to ``path``."""
    return loads(Path(path).read_text())


def write_lines(path, records):
    """Replace the file at ``path`` with ``records``, one line of JSON each (metrics.jsonl),
    atomically (a kill leaves the old file or the new one) and following no link."""
    replace_file(path, "".join(dumps(record) + "\n" for record in records).encode())


def _encode(data):
    if isinstance(data, dict):
        non_finite = {key: repr(value) for key, value in data.items()
                      if isinstance(value, float) and not math.isfinite(value)}
        encoded = {key: None if key in non_finite else _encode(value)
                   for key, value in data.items()}
        return {**encoded, NON_FINITE: non_finite} if non_finite else encoded
    if isinstance(data, (list, tuple)):
        non_finite = {str(i): repr(value) for i, value in enumerate(data)
                      if isinstance(value, float) and not math.isfinite(value)}
        encoded = [None if str(i) in non_finite else _encode(value)
                   for i, value in enumerate(data)]
        return {LIST: encoded, NON_FINITE: non_finite} if non_finite else encoded
    return data


def _decode(data):
    if isinstance(data, dict) and set(data) == {LIST, NON_FINITE}:
        return [float(data[NON_FINITE][str(i)]) if str(i) in data[NON_FINITE] else _decode(value)
                for i, value in enumerate(data[LIST])]
    if isinstance(data, dict):
        decoded = {key: _decode(value) for key, value in data.items() if key != NON_FINITE}
        non_finite = data.get(NON_FINITE)
        if non_finite is not None:
            decoded.update({key: float(text) for key, text in non_finite.items()})
        return decoded
    if isinstance(data, list):
        return [_decode(value) for value in data]
    return data
