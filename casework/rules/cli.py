"""JSON Lines runner behind ``casework rules NAME`` (contracts.md).

A long input (more than ``_PARALLEL_AFTER`` lines) with the published rules is answered by a pool of
worker processes, one per core, in chunks of lines: the answers come out in input order, one per
non-blank line, exactly as one process would write them. Shorter inputs, and the stored
configuration (which needs the database), are answered in this process.
"""

from __future__ import annotations

import importlib
import itertools
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from casework.rules import registry
from casework.rules.contract import ContractError

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]
Responder = Callable[[str], tuple[str, bool]]

#: Compact JSON, exactly as ``json.dumps(value, separators=(",", ":"))`` writes it.
_dumps = json.JSONEncoder(separators=(",", ":")).encode
#: Lines answered (and written) together.
_CHUNK_LINES = 512
#: Inputs longer than this many lines use worker processes (when there is more than one core).
_PARALLEL_AFTER = 4 * _CHUNK_LINES


def _pure(name: str, request: dict[str, Any]) -> dict[str, Any]:
    return registry.handler(name)(request)


def _decode(line: str) -> tuple[Any, dict[str, Any] | None]:
    """``(request, None)``, or ``(None, error answer)`` for a line that is not a JSON object."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, ContractError("", f"is not valid JSON ({exc.msg} at column {exc.colno})").as_json()
    except (ValueError, RecursionError) as exc:
        # Python refuses integers over 4,300 digits and very deep nesting: still one bad line.
        return None, ContractError("", f"is not acceptable JSON ({exc})").as_json()
    if not isinstance(request, dict):
        return None, ContractError("", "must be a JSON object").as_json()
    return request, None


def answer(name: str, line: str, handler: Handler = _pure) -> tuple[dict[str, Any], bool]:
    """Answer one request line: ``(result, ok)``. Never raises for bad input."""
    request, error = _decode(line)
    if error is not None:
        return error, False
    try:
        return handler(name, request), True
    except ContractError as exc:
        return exc.as_json(), False


def _responder(name: str, handler: Handler) -> Responder:
    """One request line → ``(answer line without its newline, ok)``: ``answer`` written by ``_dumps``."""
    handle_json = None
    if handler is _pure:
        # A contract may write its own answers (exactly _dumps(handle(request)), only faster).
        handle_json = getattr(importlib.import_module(registry.CONTRACTS[name]), "handle_json", None)
    if handle_json is None:
        def respond(line: str) -> tuple[str, bool]:
            result, ok = answer(name, line, handler)
            return _dumps(result), ok

        return respond

    def respond_json(line: str) -> tuple[str, bool]:
        request, error = _decode(line)
        if error is not None:
            return _dumps(error), False
        try:
            return handle_json(request), True
        except ContractError as exc:
            return _dumps(exc.as_json()), False

    return respond_json


def _answer_chunk(respond: Responder, lines: Iterable[str]) -> tuple[str, bool, BaseException | None]:
    """The answers to some lines as text (a newline after each), whether any failed, and the
    unexpected exception that stopped them, if one did (the text then holds the answers before it)."""
    answers: list[str] = []
    failed = False
    try:
        for line in lines:
            if not line.strip():
                continue
            text, ok = respond(line)
            if not ok:
                failed = True
            answers.append(text)
    except Exception as exc:  # handed back, to be raised after the answers before it are written
        stopped: BaseException | None = exc
    else:
        stopped = None
    if answers:
        answers.append("")
    return "\n".join(answers), failed, stopped


_worker_respond: Responder | None = None


def _start_worker(name: str) -> None:
    global _worker_respond  # one responder per worker process
    _worker_respond = _responder(name, _pure)


def _answer_in_worker(lines: list[str]) -> tuple[str, bool, BaseException | None]:
    assert _worker_respond is not None
    return _answer_chunk(_worker_respond, lines)


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores


def _chunks(stdin: TextIO) -> Iterator[list[str]]:
    while chunk := list(itertools.islice(stdin, _CHUNK_LINES)):
        yield chunk


def _answer_in_pool(name: str, chunks: Iterator[list[str]], stdout: TextIO, workers: int) -> bool:
    """Answer the chunks in worker processes, writing each chunk's answers in order; whether any failed."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    failed = False
    with context.Pool(workers, initializer=_start_worker, initargs=(name,)) as pool:
        window: deque[Any] = deque()  # chunks sent and not yet written, oldest first
        for chunk in chunks:
            window.append(pool.apply_async(_answer_in_worker, (chunk,)))
            if len(window) > 2 * workers:
                failed = _write(window.popleft().get(), stdout) or failed
        while window:
            failed = _write(window.popleft().get(), stdout) or failed
    return failed


def _write(answered: tuple[str, bool, BaseException | None], stdout: TextIO) -> bool:
    text, failed, stopped = answered
    stdout.write(text)
    if stopped is not None:
        raise stopped
    return failed


def run(name: str, stdin: TextIO, stdout: TextIO, handler: Handler = _pure) -> int:
    """Answer every line of ``stdin`` on ``stdout``; exit status 2 if any line failed, else 0."""
    registry.handler(name)  # fail early on an unknown name
    chunks = _chunks(stdin)
    head = list(itertools.islice(chunks, _PARALLEL_AFTER // _CHUNK_LINES + 1))
    workers = _workers()
    try:
        if handler is _pure and workers > 1 and len(head) > _PARALLEL_AFTER // _CHUNK_LINES:
            failed = _answer_in_pool(name, itertools.chain(head, chunks), stdout, workers)
        else:
            respond = _responder(name, handler)
            failed = False
            for chunk in itertools.chain(head, chunks):
                failed = _write(_answer_chunk(respond, chunk), stdout) or failed
    finally:
        stdout.flush()
    return 2 if failed else 0
