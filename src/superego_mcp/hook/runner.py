"""``superego-mcp hook``: the command hook (Claude Code, or ``--agent NAME``), fail-closed.

Reads hook JSON on stdin and answers on stdout with exit 0, or blocks with exit 2 and a
reason on stderr. Claude Code lets a tool call through on any other exit code, on output that
is not valid hook JSON and on a timeout, so every path here ends in a deny / ask answer or
exit 2: bad input, a broken policy or settings file, an unreachable server, an internal error,
even a failing import. Nothing is imported before it is needed (see ``docs/hook.md``).

Where ``os.fork`` exists, everything after reading stdin runs in a forked child that sends its
answer back through a pipe (the messages: :mod:`.pipe`): a native crash (the shell parser is
C), a child that ends without an answer or one that outlives the deadline becomes the fail
mode, never a dead hook process.
"""

# os.path, not pathlib: importing pathlib costs milliseconds on every hook call.
# ruff: noqa: PTH109, PTH118

from __future__ import annotations

import os
import sys

from superego_mcp.hook import pipe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    import signal
else:
    # The C module signal.py wraps, with the same names: importing signal.py builds an enum
    # of every signal, handler and mask (about a millisecond on every hook call).
    import _signal as signal
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import NoReturn

    from superego_mcp.hook.agents import AgentAdapter
    from superego_mcp.hook.agents.wire import HookRequest
    from superego_mcp.hook.cache import Compiled
    from superego_mcp.model import Decision, FailMode, ToolCall
    from superego_mcp.reviewer.core import Reviewer

# Input larger than this is not read: such a call is answered with the fail mode.
MAX_INPUT = 4 * 1024 * 1024
# The hook answers (fail mode) by this deadline whatever happens; Claude Code's own timeout
# (60 s as installed) would let the call through.
DEADLINE_S = 5.0
# A call that needs the LLM reviewer extends the deadline by the review's own deadline
# (``reviewer_timeout``, at most reviewer.MAX_TIMEOUT_S) plus this margin, once.
_REVIEW_MARGIN_S = 2.0
# The most a child may extend the deadline: reviewer.MAX_TIMEOUT_S + _REVIEW_MARGIN_S (kept
# as a literal so the hook does not import the reviewer; a test checks they agree).
_MAX_EXTENSION_S = 52.0
# The least a hook that waited to start gives itself to read its input and answer (the
# installer's minimum timeout leaves one second beyond the deadline).
_MIN_LEFT_S = 0.3
# The child's own alarm fires this much before the parent's, so that a Python-level hang
# ends with the child's answer and only a hang in C code has to be killed.
_CHILD_MARGIN_S = 0.2
# Tools whose calls write files or run them (session memory, superego_mcp.memory); MCP tools
# too. Other agents' tools arrive under these names.
_MEMORY_TOOLS = frozenset({"Bash", "Write", "Edit", "MultiEdit", "NotebookEdit"})
# Exit status of a child that could not send a complete answer.
_CHILD_FAILED = 70


class Outcome:
    """What the hook process does: exit code, stdout bytes, stderr text, and the audit row
    to record once the answer is out (``None``: nothing to record)."""

    __slots__ = ("audit", "code", "stderr", "stdout")

    def __init__(self, code: int, stdout: bytes = b"", stderr: str = "") -> None:
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        # {"target": [backend, location, synchronous], "row": {...}} (see superego_mcp.audit)
        self.audit: dict[str, object] | None = None


class _Deadline(BaseException):
    """Raised by the alarm when the deadline passes (BaseException: nothing swallows it)."""


def _valid_mode(value: object) -> FailMode | None:
    from superego_mcp.model import fail_mode_of

    return fail_mode_of(value)


def _env_fail_mode() -> FailMode | None:
    from superego_mcp.places import env

    return _valid_mode(env("SUPEREGO_FAIL_MODE"))


def _known_mode(args: argparse.Namespace, configured: FailMode | None = None) -> FailMode | None:
    """The fail mode as far as it is known: ``--fail-mode``, else the configured one (the
    settings, which already weigh the environment over the file), else the environment."""
    return _valid_mode(getattr(args, "fail_mode", None)) or configured or _env_fail_mode()


def _answer(data: dict[str, object]) -> Outcome:
    from superego_mcp.hook.agents.wire import dump

    return Outcome(0, dump(data))


def _adapter(args: argparse.Namespace) -> AgentAdapter:
    """The adapter of ``--agent`` (Claude Code's without it)."""
    from superego_mcp.hook.agents import adapter_for

    return adapter_for(getattr(args, "agent", None))


def _fail(args: argparse.Namespace, event: str | None, fail_mode: str, problem: str) -> Outcome:
    """The fail-closed outcome in the agent's format; exit 2 (a block for every agent) if
    even rendering JSON fails."""
    try:
        out = _answer(_adapter(args).render_failure(event, fail_mode, problem))
        out.stderr = f"superego-mcp hook: {problem}"
        return out
    except BaseException:
        return Outcome(2, b"", f"Superego could not judge this tool call: {problem}")


def handle(
    raw: bytes | None,
    args: argparse.Namespace,
    note: Callable[[str | None, FailMode | None], None] | None = None,
    extend: Callable[[float], None] | None = None,
) -> Outcome:
    """Judge one hook input (``None``: larger than :data:`MAX_INPUT`). Never raises.

    ``args`` carries the ``hook`` flags: ``rules``, ``config``, ``server``,
    ``on_server_error``, ``fail_mode``. ``note(event, fail_mode)`` is told the event once the
    input is parsed and the configured fail mode once it is known (``None`` until then), so
    that whoever watches this call can answer in the right shape if it dies. ``extend(s)``
    is told, before a review starts, how many seconds the review may add to the deadline.
    """
    mode: FailMode = _known_mode(args) or "ask"
    event: str | None = None
    try:
        from superego_mcp.hook.agents.wire import HookInputError, decode_hook_input

        adapter = _adapter(args)
        problem: str | None = None
        request = None
        if raw is None:
            problem = f"hook input is larger than {MAX_INPUT} bytes"
        else:
            try:
                data = decode_hook_input(raw)
                request = adapter.parse_hook_input(data, default_cwd=os.getcwd())
                event = request.event
                if note is not None:
                    note(event, None)
            except HookInputError as exc:
                problem = str(exc)
        if request is not None and not request.judged:
            # Observed events get no decision; an after-tool event is recorded (the call ran).
            return _observe(args, adapter, raw, request)

        server = getattr(args, "server", None)
        if request is not None and server and raw is not None:
            forwarded = _forward(
                args, adapter, server, _with_context(raw, request.call), request.event
            )
            if forwarded is not None:
                return forwarded
            if getattr(args, "on_server_error", "local") == "deny":
                from superego_mcp.hook.client import describe

                where = describe(server)
                return _fail(args, event, "deny", f"the Superego server at {where} did not answer")

        from superego_mcp.hook.cache import SetupError, load

        call = request.call if request is not None else None
        if call is not None:
            _place(call)  # first: the project's policy layer is part of what is loaded
        try:
            project = call.project if call is not None else None
            compiled = load(getattr(args, "rules", None), getattr(args, "config", None), project)
        except SetupError as exc:
            # Unknown configured mode (unreadable settings): the stricter one.
            known = _known_mode(args, _valid_mode(exc.fail_mode)) or "deny"
            return _fail(args, event, known, str(exc))
        mode = _known_mode(args, compiled.fail_mode) or "ask"
        if note is not None:
            note(event, mode)
        if problem is not None or request is None or request.call is None:
            return _fail(args, event, mode, problem or "no tool call in the hook input")
        for other in request.more:  # a patch's other files: the same project
            other.project = request.call.project
        return _judge(compiled, adapter, request, request.call, mode, extend)
    except _Deadline:
        return _fail(args, event, mode, f"no decision within {DEADLINE_S:g} s")
    except BaseException as exc:  # the last line: a crash must never become an allow
        return _fail(args, event, mode, f"internal error ({type(exc).__name__})")


def _observe(
    args: argparse.Namespace, adapter: AgentAdapter, raw: bytes | None, request: HookRequest
) -> Outcome:
    """The answer to an event that is not judged: none (``{}``). An after-tool event
    (``PostToolUse``...) says its call ran: it goes to the server (``--server``), else its
    outcome row to the audit store, written by the parent after the answer, as a decision's.
    Nothing here can block the call: any failure is still ``{}``, exit 0."""
    from superego_mcp.audit.record import AFTER_EVENTS

    call = request.call
    if call is None or request.event not in AFTER_EVENTS:
        return _answer({})
    try:
        server = getattr(args, "server", None)
        if server and raw is not None:
            forwarded = _forward(args, adapter, server, _with_context(raw, call), request.event)
            if forwarded is not None:
                return forwarded
        from superego_mcp.audit.record import build_outcome
        from superego_mcp.hook.cache import load

        _place(call)
        compiled = load(getattr(args, "rules", None), getattr(args, "config", None), call.project)
        out = _answer({})
        if compiled.audit is not None:
            row = build_outcome(
                call, entry="hook", event=request.event, tool_use_id=request.tool_use_id
            )
            out.audit = {"target": list(compiled.audit), "row": row, "kind": "outcome"}
    except Exception as exc:  # an after-tool event never blocks: no record, no answer
        out = _answer({})
        out.stderr = f"superego-mcp hook: {request.event} not recorded ({type(exc).__name__})"
    return out


def _place(call: ToolCall) -> None:
    """Set the call's project root: the payload's, else the agent's environment
    (``CLAUDE_PROJECT_DIR``), else the session's remembered root (one file per session in the
    hook cache: every hook call is a new process), else the git work tree, else the cwd."""
    if call.project is not None:
        return
    from superego_mcp.places import cache_dir
    from superego_mcp.project import SessionFiles, place

    place(call, environ=os.environ, sessions=SessionFiles(os.path.join(cache_dir(), "sessions")))


def _with_context(raw: bytes, call: ToolCall | None) -> bytes:
    """The hook input for the server, with what only this process knows added: the project
    root (``project_dir``) and the agent's home (``home``), unless the input names them."""
    if call is None:
        return raw
    import json

    _place(call)
    data = json.loads(raw)
    data.setdefault("project_dir", call.project)
    home = call.home or os.environ.get("HOME")
    if home and home.startswith("/"):
        data.setdefault("home", home)
    return json.dumps(data).encode()


def _judge(
    compiled: Compiled,
    adapter: AgentAdapter,
    request: HookRequest,
    call: ToolCall,
    mode: FailMode,
    extend: Callable[[float], None] | None = None,
) -> Outcome:
    import time

    from superego_mcp.decide import decide

    limits = compiled.limits
    started = time.perf_counter()

    def decide_one(c: ToolCall) -> Decision:
        return decide(
            compiled.policy,
            c,
            fail_mode=mode,
            reviewer=_reviewer_factory(compiled, extend) if compiled.reviewer else None,
            exceptions=compiled.state_dir or None,
            **limits,
        )

    memory = None
    if call.session_id and (call.tool_name in _MEMORY_TOOLS or call.tool_name[:5] == "mcp__"):
        # What the session wrote before (superego_mcp.memory): only calls that write or run
        # files use it, so a Read or a search pays nothing for it.
        from superego_mcp.memory import open_memory

        memory = open_memory(call.session_id)
        for c in (call, *request.more):
            c.memory = memory
    if request.more:  # a patch's other files (other agents only)
        from superego_mcp.hook.agents import decide_request

        calls = [call, *request.more]
        decision, call = decide_request(calls, [decide_one(c) for c in calls])
    else:
        decision = decide_one(call)
    if memory is not None:
        memory.commit(decision.action)
    latency_ms = (time.perf_counter() - started) * 1000
    event = request.event
    out = _answer(adapter.render_decision(event, decision, call))
    if compiled.audit is not None:
        try:
            from superego_mcp.audit.record import build_record

            row = build_record(
                call,
                decision,
                entry="hook",
                event=event,
                latency_ms=latency_ms,
                policy_digest=compiled.policy.digest,
                tool_use_id=request.tool_use_id,
            )
            out.audit = {"target": list(compiled.audit), "row": row}
        except Exception as exc:  # the audit never changes the answer
            out.stderr = f"superego-mcp hook: audit record not built ({type(exc).__name__})"
    return out


def _reviewer_factory(
    compiled: Compiled, extend: Callable[[float], None] | None
) -> Callable[[], Reviewer]:
    """Builds the reviewer only when a call needs one (nothing of it is imported before).
    Its breakers and cache live in a state file next to the policy cache."""

    def make() -> Reviewer:
        data = compiled.reviewer or {}
        if extend is not None:
            # Before anything of the reviewer is imported: on a loaded machine the imports
            # alone take a noticeable part of the hook's own deadline.
            extend(float(data.get("timeout", 0)) + _REVIEW_MARGIN_S)
        from superego_mcp.places import cache_dir
        from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

        state = os.path.join(cache_dir(), "reviewer-state.json")
        return Reviewer(ReviewerConfig.from_dict(data), state_file=state)

    return make


def _forward(
    args: argparse.Namespace, adapter: AgentAdapter, server: str, raw: bytes, event: str
) -> Outcome | None:
    """The server's answer, or ``None`` when it cannot be used (reason on stderr later)."""
    from superego_mcp.hook.client import ServerError, forward

    try:
        reply = forward(server, raw, agent=getattr(args, "agent", None))
    except ServerError as exc:
        sys.stderr.write(f"superego-mcp hook: {exc}\n")
        return None
    if not isinstance(reply, dict) or not adapter.is_valid_output(event, reply):
        sys.stderr.write("superego-mcp hook: the server's reply is not valid hook JSON\n")
        return None
    return _answer(reply)


def _read_stdin() -> bytes | None:
    data = sys.stdin.buffer.read(MAX_INPUT + 1)
    return None if len(data) > MAX_INPUT else data


def _on_alarm(signum: int, frame: object) -> None:
    raise _Deadline


def _isolated(raw: bytes | None, args: argparse.Namespace) -> Outcome:
    """:func:`handle` in a forked child (see the module docstring); in-process where there
    is no ``fork`` or it fails (that only loses the protection against native crashes)."""
    left = signal.getitimer(signal.ITIMER_REAL)[0] or DEADLINE_S
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return handle(raw, args)
    try:
        # What both processes use, imported once here and inherited: the child decodes the
        # input and builds the audit row with them, the parent reads the row and the fail
        # mode back (imported after the fork, each would be imported twice). A failure is
        # the child's to report. functools (and collections with it): the child's unpickler
        # and the parent's SQLite module both import it.
        import functools  # noqa: F401

        import superego_mcp.audit.record
        import superego_mcp.cjson
        import superego_mcp.model  # noqa: F401
    except Exception:  # noqa: S110
        pass
    try:
        import gc

        sys.stderr.flush()  # an inherited buffer must not be written twice
        # Objects the child inherits stay out of its collections: a collection writes to
        # every object it visits, which would copy their pages into the child.
        gc.freeze()
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return handle(raw, args)
    if pid == 0:
        os.close(read_fd)
        _child(raw, args, write_fd, left)
    os.close(write_fd)
    chunks: list[bytes] = []
    status: int | None = None
    extended = False  # whether the child's deadline extension was applied
    try:
        try:
            while chunk := os.read(read_fd, 65536):
                chunks.append(chunk)
                if not extended and len(chunks) < 64:  # notes are short and come first
                    extended = _extend_deadline(b"".join(chunks))
            status = os.waitpid(pid, 0)[1]
        finally:
            os.close(read_fd)
            if status is None:
                _kill(pid)
    except _Deadline:
        reply = pipe.read(b"".join(chunks))
        return _child_failed(args, reply.event, reply.mode, f"no decision within {DEADLINE_S:g} s")
    return _from_child(args, b"".join(chunks), status)


def _child(raw: bytes | None, args: argparse.Namespace, write_fd: int, left: float) -> NoReturn:
    """The forked child: judge, send the answer, ``os._exit`` (no atexit handlers, no
    flushing of buffers inherited from the parent)."""
    code = _CHILD_FAILED
    try:
        # Only the parent writes stdout: nothing in the child (a C library included) can add
        # bytes to the hook's answer.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
        signal.setitimer(signal.ITIMER_REAL, max(left - _CHILD_MARGIN_S, 0.01))

        def note(event: str | None, mode: FailMode | None) -> None:
            pipe.send(write_fd, pipe.note(event, mode))

        def extend(seconds: float) -> None:
            # Both alarms move by the same amount: the child's still fires first.
            seconds = min(seconds, _MAX_EXTENSION_S)
            signal.setitimer(signal.ITIMER_REAL, signal.getitimer(signal.ITIMER_REAL)[0] + seconds)
            pipe.send(write_fd, pipe.extension(seconds))

        out = handle(raw, args, note, extend)
        signal.setitimer(signal.ITIMER_REAL, 0)
        if out.audit is not None:
            pipe.send(write_fd, pipe.audit(out.audit))
        pipe.send(write_fd, pipe.answer(out.code, out.stdout, out.stderr))
        sys.stderr.flush()  # what _forward wrote; the buffer was empty at the fork
        code = 0
    finally:
        os._exit(code)


def _extend_deadline(data: bytes) -> bool:
    """Apply the child's deadline extension (:func:`.pipe.requested_extension`) to this
    process's alarm, by at most :data:`_MAX_EXTENSION_S`; True once one was read (one per
    call is all a review needs)."""
    seconds = pipe.requested_extension(data)
    if seconds is None:
        return False
    if seconds > 0:
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, left + min(seconds, _MAX_EXTENSION_S))
    return True


def _kill(pid: int) -> None:
    import contextlib

    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def _from_child(args: argparse.Namespace, data: bytes, status: int) -> Outcome:
    reply = pipe.read(data)
    if reply.code is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        out = Outcome(reply.code, reply.stdout, reply.stderr)
        out.audit = reply.audit
        return out
    if os.WIFSIGNALED(status):
        import signal as signals  # the names: only when the child crashed

        number = os.WTERMSIG(status)
        try:
            name = signals.Signals(number).name
        except ValueError:
            name = str(number)
        problem = f"the policy evaluation crashed (signal {name})"
    else:
        code = os.waitstatus_to_exitcode(status)
        problem = f"the policy evaluation ended without an answer (exit status {code})"
    return _child_failed(args, reply.event, reply.mode, problem)


def _child_failed(
    args: argparse.Namespace, event: str | None, mode: FailMode | None, problem: str
) -> Outcome:
    # The configured mode comes from the child once it is known; before that it is unknown,
    # so the stricter one (unless the flag or the environment names one).
    return _fail(args, event, _known_mode(args, mode) or "deny", problem)


def queued() -> float:
    """Seconds since this process was created (Linux: ``/proc/self/stat``'s start time
    against the boot clock), which is how long it waited to run before ``run()``; ``0.0``
    where that cannot be read."""
    try:
        import time

        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # Fields after the command name, which is in parentheses and may hold anything.
        ticks = int(stat[stat.rindex(b")") + 2 :].split()[19])
        since = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    # Beyond a minute the clocks disagree (a time namespace), not the queue: not counted.
    return min(since, DEADLINE_S) if 0.0 <= since <= 60.0 else 0.0


def run(args: argparse.Namespace) -> int:
    """Entry point of ``superego-mcp hook``: stdin in, answer out, exit code 0 or 2."""
    import gc

    # One call per process: the cyclic collector's passes over what the imports and the
    # unpickled policy allocate cost 1-2 ms of every call and free nothing that matters
    # (reference counting frees the rest; a cold compile peaks at the same size).
    gc.disable()
    outcome: Outcome
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
        # From the process's creation, not from here: on busy cores starting Python alone
        # can take seconds, and the agent's timeout runs from the spawn.
        signal.setitimer(signal.ITIMER_REAL, max(DEADLINE_S - queued(), _MIN_LEFT_S))
        try:
            raw = _read_stdin()
            outcome = _isolated(raw, args) if hasattr(os, "fork") else handle(raw, args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as exc:  # reading stdin failed, or the alarm hit outside handle()
        mode = _known_mode(args) or "ask"
        problem = f"internal error ({type(exc).__name__})"
        if isinstance(exc, _Deadline):
            problem = f"no complete hook input within {DEADLINE_S:g} s"
        outcome = _fail(args, None, mode, problem)
    spooled = _spool(outcome.audit) if outcome.audit is not None else None
    try:
        if outcome.stderr:
            sys.stderr.write(outcome.stderr + "\n")
        sys.stdout.buffer.write(outcome.stdout)
        sys.stdout.buffer.flush()
    except BaseException:
        return 2
    if outcome.audit is not None and _record(outcome.audit, spooled):
        # The answer and any note are out; end here, before interpreter shutdown closes the
        # audit connection (a WAL checkpoint: see superego_mcp.audit.hookwrite).
        try:
            sys.stderr.flush()
        finally:
            os._exit(outcome.code)
    return outcome.code


# The audit write's own deadline: the answer is already out, and the whole hook must end
# well inside Claude Code's timeout (10 s as installed) even on a hung file system.
AUDIT_DEADLINE_S = 1.5


def _spool(audit: dict[str, object]) -> str | None:
    """Put the row in the audit spool before the answer goes out (see
    superego_mcp.audit.hookwrite: an answered call's row survives a kill of this process);
    None, with a note on stderr, when that fails: the answer still goes out."""
    try:
        from superego_mcp.audit.hookwrite import spool

        target = audit["target"]
        assert isinstance(target, list)
        assert isinstance(audit["row"], dict)
        return spool([str(t) for t in target], audit["row"], str(audit.get("kind", "decision")))
    except BaseException as exc:
        import contextlib

        with contextlib.suppress(BaseException):
            sys.stderr.write(f"superego-mcp hook: audit spool failed ({type(exc).__name__})\n")
        return None


def _record(audit: dict[str, object], spooled: str | None = None) -> bool:
    """Write the decision's audit row after the answer went out, drop its spool file, and
    insert what killed hooks left in the spool; a failure is reported on stderr and changes
    nothing else (the exit code and stdout are already decided; a row that stays in the
    spool is inserted by the next hook). True when the row was written."""
    try:
        signal.setitimer(signal.ITIMER_REAL, AUDIT_DEADLINE_S)
        try:
            from superego_mcp.audit.hookwrite import append, recover

            target, row = audit["target"], audit["row"]
            assert isinstance(target, list)
            assert isinstance(row, dict)
            kind = str(audit.get("kind", "decision"))
            append(str(target[0]), str(target[1]), str(target[2]), row, kind)
            if spooled is not None:
                os.unlink(spooled)  # noqa: PTH108 - no pathlib on the hook path
            recover(str(target[0]), str(target[1]))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as exc:
        import contextlib

        with contextlib.suppress(BaseException):
            sys.stderr.write(f"superego-mcp hook: audit write failed ({type(exc).__name__})\n")
        return False
    return True
