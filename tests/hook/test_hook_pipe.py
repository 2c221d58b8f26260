"""The command hook's fork/pipe protocol (hook/pipe.py): what the child writes, the parent
reads back; anything incomplete or malformed is no answer (the parent then fails closed).
The real forked child is exercised end to end by test_hook_crash.py and test_hook_runner.py."""

from __future__ import annotations

import os

from superego_mcp.hook import pipe

ROW: dict[str, object] = {"target": ["sqlite", "/tmp/a.db", False], "row": {"k": "a\nb"}}


def _message() -> bytes:
    return (
        pipe.note("PreToolUse", "deny")
        + pipe.extension(12.5)
        + pipe.audit(ROW)
        + pipe.answer(0, b'{"x":1}\n', "note: é")
    )


def test_what_the_child_writes_the_parent_reads() -> None:
    reply = pipe.read(_message())
    assert (reply.event, reply.mode) == ("PreToolUse", "deny")
    assert (reply.code, reply.stdout, reply.stderr) == (0, b'{"x":1}\n', "note: é")
    assert reply.audit == ROW


def test_an_answer_cut_short_is_no_answer_but_the_notes_count() -> None:
    data = _message()
    start = data.index(b"\na0 ") + 1
    for end in range(start, len(data)):
        reply = pipe.read(data[:end])
        assert reply.code is None, end
        assert (reply.event, reply.mode) == ("PreToolUse", "deny")
    assert pipe.read(data + b"more").code is None  # more bytes than announced


def test_only_exit_codes_0_and_2_are_answers() -> None:
    assert pipe.read(pipe.answer(2, b"", "blocked")).code == 2
    for code in (1, 3, 70):
        assert pipe.read(pipe.answer(code, b"{}", "")).code is None
    assert pipe.read(b"a0 x 0\n").code is None


def test_notes_the_last_event_and_the_last_valid_mode() -> None:
    data = pipe.note("PreToolUse", "deny") + pipe.note("PermissionRequest", None)
    reply = pipe.read(data + b"mOdd\tsometimes\n")
    assert (reply.event, reply.mode) == ("Odd", "deny")
    # An event name that would break the line is left out, never misread.
    assert pipe.read(pipe.note("Pre\tToolUse", "ask")).event is None
    assert pipe.read(pipe.note("Pre\nToolUse", "ask")).mode == "ask"


def test_a_garbled_audit_row_is_dropped_and_the_answer_stands() -> None:
    reply = pipe.read(b"r{not json\n" + pipe.answer(0, b"{}", ""))
    assert (reply.code, reply.audit) == (0, None)


def test_the_deadline_extension_is_read_from_the_notes_as_they_come() -> None:
    data = pipe.note("PreToolUse", "ask") + pipe.extension(30)
    assert pipe.requested_extension(data[:-1]) is None  # the line is not complete yet
    assert pipe.requested_extension(data) == 30.0
    assert pipe.requested_extension(b"x-5\n") == 0.0
    assert pipe.requested_extension(b"xsoon\n") == 0.0
    # Only notes come before it: after a row or the answer there is none to apply.
    assert pipe.requested_extension(pipe.audit(ROW) + pipe.extension(3)) is None
    assert pipe.requested_extension(pipe.note(None, None)) is None


def test_send_writes_everything_through_a_real_pipe() -> None:
    data = _message() * 2000  # larger than a pipe's buffer: written in parts
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        pipe.send(write_fd, data)
        os._exit(0)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 65536):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    assert b"".join(chunks) == data
