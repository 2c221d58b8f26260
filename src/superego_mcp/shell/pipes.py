"""What flows through a pipeline into xargs / parallel: the file names a lister (``find``,
``ls``, ``git ls-files``, ``rg -l``, a static ``echo``) hands on become the paths of the
program they are given to. Called by :func:`.statements.link_pipeline`."""

from __future__ import annotations

from . import simple_command
from .state import dedupe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Command
    from .state import Scope, Walker


def piped_files(w: Walker, cmd: Command, feeders: list[Command], scope: Scope) -> None:
    """``find ~ | xargs rm -rf``, ``echo ~ | xargs rm``: the files xargs hands to a program
    that acts on files are what ``find`` lists (under its start paths) or the words echoed;
    they become the command's paths (it stays ``dynamic``: xargs splits names on blanks)."""
    if cmd.via[-1:] not in (("xargs",), ("parallel",)):
        return
    readers = simple_command.READS_NAMES - simple_command.NAMES_ONLY
    if cmd.program not in simple_command.TAKES_FILES | readers:
        return  # a program that only prints or tests names does not open the files
    found: list[str] = []
    for feeder in feeders:
        if feeder.program == "find":
            targets = {r.target for r in feeder.redirects}
            found.extend(p for p in feeder.paths if p not in targets)
        elif feeder.program in ("echo", "printf") and not feeder.dynamic:
            words = [a for a in feeder.argv if not a.startswith("-")]
            for word in words[1:] if feeder.program == "printf" else words:
                for part in word.split():
                    found.extend(w.path_forms(part, scope))
    if found:
        cmd.paths = dedupe((*cmd.paths, *found))


# Commands whose output is file names (under their paths), and filters that pass names on.
_LISTERS = frozenset({"find", "fd", "fdfind", "ls"})
_NAME_FILTERS = frozenset({"sort", "uniq", "head", "tail", "grep", "egrep", "fgrep", "rg"})
_LISTS_MATCHING = frozenset(
    {"-l", "-L", "--files-with-matches", "--files-without-match", "--files"}
)


def lists_names(cmd: Command) -> bool:
    """Whether ``cmd``, before xargs in a pipeline, only lists file names (each judged on
    its own: ``find src``, ``git ls-files``, ``rg -l x``, a static ``echo a b``) or filters
    such a list read from its input (``sort``, ``grep -v test``)."""
    if cmd.dynamic or cmd.program_files:
        return False
    program = cmd.program
    if program in _LISTERS or program in ("echo", "printf"):
        return True
    if program == "git":
        return (
            cmd.subcommand == "ls-files"
            or (cmd.subcommand == "diff" and "--name-only" in cmd.argv)
            or (cmd.subcommand == "grep" and bool(_LISTS_MATCHING & set(cmd.argv)))
        )
    if program in ("grep", "egrep", "fgrep", "rg") and _LISTS_MATCHING & cmd.flags:
        return True
    if program in _NAME_FILTERS:  # a filter of its input (no file operands of its own)
        return (
            not cmd.paths
            and not cmd.positionals[1 if program in ("grep", "egrep", "fgrep", "rg") else 0 :]
        )
    return False


def listed_names(w: Walker, cmd: Command, upstream: list[Command], scope: Scope) -> None:
    """A program xargs gives listed names (``git ls-files | xargs x-lint``): when every
    command before it lists names or filters them, the places they list from become its
    paths (a lister's paths, else its directory; an echo's words), so that "every file is
    in the project" can be asked; otherwise, or when a place cannot be resolved, it loses
    the flag."""
    if not all(lists_names(c) for c in upstream):
        cmd.flags = cmd.flags - simple_command.LISTED_NAMES
        return
    found: list[tuple[str, ...]] = []
    for lister in upstream:
        if lister.program in ("echo", "printf"):
            words = [a for a in lister.argv if not a.startswith("-")]
            for word in words[1:] if lister.program == "printf" else words:
                found.extend(w.path_forms(part, scope) for part in word.split())
        elif lister.program in _NAME_FILTERS and not (_LISTS_MATCHING & lister.flags):
            continue  # a filter of its input: the names come from before it
        else:
            targets = {r.target for r in lister.redirects}
            places = tuple(p for p in lister.paths if p not in targets)
            found.append(places or w.path_forms(".", scope))
    if not all(found):
        cmd.flags = cmd.flags - simple_command.LISTED_NAMES
        return
    cmd.paths = dedupe((*cmd.paths, *(p for forms in found for p in forms)))
