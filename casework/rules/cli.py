"""JSON Lines runner behind ``casework rules NAME`` (docs/contracts.md).

A long input (more than ``_PARALLEL_AFTER`` lines) with the published rules is answered in chunks of
lines by a worker process per core, this process answering chunks too while they are all busy: the
answers come out in input order, one per non-blank line, exactly as one process would write them.
Shorter inputs, and the stored configuration (which needs the database), are answered in this
process alone.
"""

from __future__ import annotations

import importlib
import itertools
import json
import multiprocessing
import os
import sys
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


#: The decoder json.loads uses (a JSONDecoder with the default options), called directly.
_scan_once = json.JSONDecoder().scan_once


def _decode(line: str) -> tuple[Any, dict[str, Any] | None]:
    """``(request, None)``, or ``(None, error answer)`` for a line that is not a JSON object."""
    if line[:1] == "{":
        # The usual line: decoded as json.loads decodes it, without the checks that only matter when it
        # fails (which it then does again below, for its exact error).
        try:
            request, end = _scan_once(line, 0)
        except (StopIteration, ValueError, RecursionError):
            pass
        else:
            if not line[end:].strip(" \t\n\r"):  # nothing after the object but JSON whitespace
                return request, None
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
        if line[:1] == "{":  # the usual line, as in _decode
            try:
                request, end = _scan_once(line, 0)
            except (StopIteration, ValueError, RecursionError):
                pass
            else:
                if not line[end:].strip(" \t\n\r"):
                    try:
                        return handle_json(request), True
                    except ContractError as exc:
                        return _dumps(exc.as_json()), False
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
            if not line or line.isspace():  # blank (``not line.strip()``)
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


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chunks(stdin: TextIO, stopped: list[Exception]) -> Iterator[list[str]]:
    """The lines of stdin in chunks; if reading fails, the lines read before it, then the error in
    ``stopped`` (to be raised once they are answered, as answering line by line would)."""
    chunk: list[str] = []
    try:
        for line in stdin:
            chunk.append(line)
            if len(chunk) >= _CHUNK_LINES:
                yield chunk
                chunk = []
    except Exception as exc:  # e.g. bytes that are not UTF-8
        stopped.append(exc)
    if chunk:
        yield chunk


def _answer_in_pool(name: str, respond: Responder, chunks: Iterator[list[str]], stdout: TextIO,
                    workers: int) -> bool:
    """Answer the chunks here and in worker processes, writing each chunk's answers in input order;
    whether any failed. Each worker is kept busy with up to two chunks; this process answers the rest."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    for stream in (stdout, sys.stdout, sys.stderr):  # a forked worker flushes copies of these when it ends
        if stream is not None:
            stream.flush()
    failed = False
    with context.Pool(workers, initializer=_start_worker, initargs=(name,)) as pool:
        pending: deque[Any] = deque()  # answers not yet written, in input order: an AsyncResult or the answer
        sent: deque[Any] = deque()  # the AsyncResults of chunks sent, oldest first
        for chunk in chunks:
            while sent and sent[0].ready():
                sent.popleft()
            if len(sent) < 2 * workers:
                sent.append(pool.apply_async(_answer_in_worker, (chunk,)))
                pending.append(sent[-1])
            else:
                pending.append(_answer_chunk(respond, chunk))
            while pending and (type(pending[0]) is tuple or pending[0].ready() or len(pending) > 8 * workers):
                head = pending.popleft()
                failed = _write(head if type(head) is tuple else head.get(), stdout) or failed
        while pending:
            head = pending.popleft()
            failed = _write(head if type(head) is tuple else head.get(), stdout) or failed
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
    stopped: list[Exception] = []
    chunks = _chunks(stdin, stopped)
    head = list(itertools.islice(chunks, _PARALLEL_AFTER // _CHUNK_LINES + 1))
    respond = _responder(name, handler)
    cores = _cores()
    try:
        if handler is _pure and cores > 1 and len(head) > _PARALLEL_AFTER // _CHUNK_LINES:
            failed = _answer_in_pool(name, respond, itertools.chain(head, chunks), stdout, cores)
        else:
            failed = False
            for chunk in itertools.chain(head, chunks):
                failed = _write(_answer_chunk(respond, chunk), stdout) or failed
    finally:
        stdout.flush()
    if stopped:
        raise stopped[0]
    return 2 if failed else 0
