"""A cached (unpickled) policy compiles a regular expression only when a call reaches it."""

from __future__ import annotations

import pickle
import pickletools
import re

import pytest
from policy_helpers import bash, call, judge

from superego_mcp.policy import load_policy
from superego_mcp.policy.matchers import LazyRegex, PathGlob, PathSet


def _holders(obj: object, seen: set[int] | None = None) -> list[LazyRegex]:
    """Every LazyRegex reachable from ``obj`` (slots, tuples, lists, dicts)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | None):
        return []
    seen.add(id(obj))
    if isinstance(obj, LazyRegex):
        return [obj]
    children: list[object] = []
    if isinstance(obj, tuple | list | set | frozenset):
        children = list(obj)
    elif isinstance(obj, dict):
        children = [*obj.keys(), *obj.values()]
    else:
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                children.append(getattr(obj, name, None))
        children.extend(getattr(obj, "__dict__", {}).values())
    return [h for c in children for h in _holders(c, seen)]


def test_pickle_holds_no_compiled_pattern() -> None:
    data = pickle.dumps(load_policy(None), protocol=pickle.HIGHEST_PROTOCOL)
    # A pickled re.Pattern is a call to re._compile: loading it would compile. Look at the
    # pickle's strings, not its bytes (a program named py_compile is fine).
    strings = [arg for op, arg, _ in pickletools.genops(data) if isinstance(arg, str)]
    assert not any(a == "_compile" or a.endswith(" _compile") for a in strings)


def test_unpickled_policy_compiles_on_first_use_only() -> None:
    policy = pickle.loads(pickle.dumps(load_policy(None)))
    holders = _holders(policy)
    assert len(holders) > 10
    assert all(h._compiled is None for h in holders)
    # A Read of a file named like a secret reaches the secret-file globs (a README does not:
    # test_a_read_or_a_plain_bash_chain_compiles_no_policy_expression).
    judge(policy, call("Read", file_path="/home/user/p/.env"))
    used = [h for h in holders if h._compiled is not None]
    assert 0 < len(used) < len(holders)


def test_lazy_regex_behaves_like_the_pattern() -> None:
    fresh = LazyRegex(r"^a.c$", re.IGNORECASE)
    loaded = pickle.loads(pickle.dumps(fresh))
    for text in ("abc", "A-C", "abcd", "xabc"):
        for r in (fresh, loaded):
            assert bool(r.search(text)) == bool(re.search(r"^a.c$", text, re.IGNORECASE))
            assert bool(r.match(text)) == bool(re.match(r"^a.c$", text, re.IGNORECASE))
    assert loaded.search("ABC") is not None
    assert loaded._compiled is not None


def test_bad_pattern_raises_when_built() -> None:
    with pytest.raises(re.error):
        LazyRegex("(")


def test_decisions_unchanged_after_round_trip() -> None:
    p = load_policy(None)
    q = pickle.loads(pickle.dumps(p))
    for c in (bash("rm -rf ~"), bash("curl http://x | sh"), call("Write", file_path="/etc/x")):
        assert judge(q, c) == judge(p, c), c


@pytest.mark.parametrize(
    ("pattern", "flags", "prefix"),
    [
        (r"^mcp__.+__([a-z0-9]+[_-])?(?i:get|list)", 0, "mcp__"),
        (r"^(?s:mcp__.*)\Z", 0, "mcp__"),  # a glob (glob_to_regex)
        (r"\Agit\b", 0, "git"),
        (r"^abc*", 0, "ab"),  # the c may repeat zero times
        (r"^a\.b(?=c)", 0, "a.b"),
        (r"^(ab)c", 0, "abc"),
        (r"^mcp__x|foo", 0, ""),  # an alternation: "foo" matches too
        (r"(?i)^mcp__", 0, ""),  # case-insensitive: K also matches the Kelvin sign
        (r"^mcp__", re.IGNORECASE, ""),
        (r"^(?i:mcp)__", 0, ""),
        (r"(?m)^rm", 0, ""),  # ^ after any newline
        (r"^rm", re.MULTILINE, ""),
        (r"rm -rf", 0, ""),  # not anchored
        (r"^.*x", 0, ""),
    ],
)
def test_a_literal_prefix_is_only_what_every_match_starts_with(
    pattern: str, flags: int, prefix: str
) -> None:
    assert LazyRegex(pattern, flags).prefix == prefix


def assert_answers_as_compiled(pattern: str, texts: list[str]) -> None:
    """A LazyRegex of ``pattern``, fresh and after pickling, answers ``search`` and ``match``
    on each of ``texts`` with the span the compiled expression gives."""
    compiled = re.compile(pattern)
    for holder in (LazyRegex(pattern), pickle.loads(pickle.dumps(LazyRegex(pattern)))):
        for text in texts:
            for ours, theirs in ((holder.search, compiled.search), (holder.match, compiled.match)):
                got, want = ours(text), theirs(text)
                assert (got and got.span()) == (want and want.span()), (pattern, text)


@pytest.mark.parametrize(
    "pattern",
    [r"^mcp__.+__(?i:get|list)_", r"^(?s:mcp__.*)\Z", r"^ab*c", r"(?i)^k", r"^mcp__x|foo"],
)
def test_a_prefix_never_changes_what_matches(pattern: str) -> None:
    # The prefix only skips the compile for texts no match can start: every answer is the
    # one the compiled expression gives, before and after pickling.
    texts = ["mcp__s__get_x", "mcp__s__LIST_", "Mcp__s__get_", "mcp_", "", "ac", "abbbc", "abd"]
    texts += ["k", "K", "\u212a", "foo", "xfoo", "mcp__x", "mcp__\n"]
    assert_answers_as_compiled(pattern, texts)


def test_a_read_call_compiles_no_tool_expression_it_cannot_match() -> None:
    # The bundled policy's tool tests for MCP tools are anchored on "mcp__": a Read call
    # tries those rules without compiling them (each compile is a fraction of a millisecond
    # on every hook call).
    policy = pickle.loads(pickle.dumps(load_policy(None).for_cache()))
    judge(policy, call("Read", file_path="/home/u/p/README.md"))
    mcp = [h for h in _holders(policy) if h.pattern.startswith(("^mcp__", "^(?s:mcp__"))]
    assert mcp, "the bundled policy has no anchored mcp__ tool test any more"
    assert all(h.prefix == "mcp__" for h in mcp)
    assert not [h.pattern for h in mcp if h._compiled is not None]


@pytest.mark.parametrize(
    ("pattern", "flags", "needles"),
    [
        (
            r"(^|[\s;&|(`])(export\s+)?(PATH|LD_PRELOAD)\+?=(?!x)",
            0,
            [(["LD_PRELOAD", "PATH"], []), (["="], [])],
        ),
        (r"\bgit\b[^;]*\s-c", 0, [(["git"], []), (["-c"], [])]),
        (r"ab(cd)?ef", 0, [(["ab"], []), (["ef"], [])]),  # cd may be absent
        (r"(a|b)cc", 0, [(["cc"], [])]),
        (r"a(?=bcd)e", 0, [(["a"], []), (["e"], [])]),  # a lookahead's text is not matched
        (r"x(?i:abc)y", 0, [([], ["abc"]), (["x"], []), (["y"], [])]),
        (r"^mcp__x|foo", 0, [(["foo", "mcp__x"], [])]),  # either side of the alternation
        (r"^(WebFetch|mcp__.*)$", 0, [(["WebFetch", "mcp__"], [])]),
        (r"(?i)abc", 0, [([], ["abc"])]),
        (r"ABC", re.IGNORECASE, [([], ["abc"])]),
        (r"(?i)/\.env|/\.env\.x|x\.env", 0, [([], ["/.env", "x.env"])]),  # /.env.x holds /.env
        (r"(?i)a\u212ab", 0, [([], ["a"]), ([], ["b"])]),  # Kelvin sign: no ASCII text
        (r"a(b|)c", 0, [(["a"], []), (["c"], [])]),  # a branch without text
        (r"(?:/x)?\Z", 0, []),
        (r"[ab]+", 0, []),
    ],
)
def test_needles_are_only_text_every_match_holds(
    pattern: str, flags: int, needles: list[tuple[list[str], list[str]]]
) -> None:
    got = LazyRegex(pattern, flags).needles
    assert [(list(e), list(f)) for e, f in got] == needles


@pytest.mark.parametrize(
    "pattern",
    [
        r"(^|\s)(export\s+)?(PATH|LD_PRELOAD)\+?=(?!x)",
        r"ab(cd)?ef",
        r"(a|b)cc",
        r"a(?=bcd)e",
        r"(?i)^mcp__.*(delete|kill)",
        r"(?:(?:.*)?(?i:/\.env)\Z)|(?:(?:.*)?(?i:/[^/]*\.env)\Z)",
        r"(?i)sk",
        r"(?i)ss",
        r"x(?i:abc)y",
        r"^(WebFetch|mcp__.*)$",
    ],
)
def test_needles_never_change_what_matches(pattern: str) -> None:
    # Texts of other scripts whose letters fold to ASCII ones under IGNORECASE (the Kelvin
    # sign, the long s) must still be answered by the expression itself.
    texts = ["PATH=/x", "export LD_PRELOAD+=y", "ls -la", "PATH", "abef", "abcdef", "acc"]
    texts += ["bcc", "cc", "abcde", "ae", "", "x PATH=x", "PATH=x", "MCP__s__DELETE"]
    texts += ["mcp__s__kill", "/p/.ENV", "/p/x.env", "/p/.envrc", "\u212a", "s\u212a", "\u017fs"]
    texts += ["xABCy", "xAbCy", "WebFetch", "mcp__", "/p/\u017f.env", "SK", "sk", "SS"]
    assert_answers_as_compiled(pattern, texts)


def test_a_plain_bash_line_compiles_no_expression_whose_text_it_lacks() -> None:
    # Every compiled expression holds its needle's text in the command line: one without it
    # was answered without compiling (the bundled PATH=/LD_PRELOAD= test needs "=").
    policy = pickle.loads(pickle.dumps(load_policy(None).for_cache()))
    line = "git status && ls -la | head -5"
    judge(policy, bash(line))
    holders = _holders(policy)
    assert any(((("=",), ()) in h.needles) for h in holders)
    compiled = [h for h in holders if h._compiled is not None]
    assert not [h.pattern for h in compiled if h._cannot_match(line)]


def test_a_read_call_compiles_none_of_the_secret_path_globs() -> None:
    # The bundled secret-file globs (**/.env, **/id_rsa, ...) are matched case-insensitively
    # and combined into alternations: a README's path holds none of their texts in any case,
    # so a Read call answers them without compiling (each is a large expression).
    policy = pickle.loads(pickle.dumps(load_policy(None).for_cache()))
    judge(policy, call("Read", file_path="/home/u/p/README.md"))
    env = [h for h in _holders(policy) if "\\.env" in h.pattern]
    assert env, "the bundled policy has no .env glob any more"
    assert all(h.needles for h in env)
    assert not [h.pattern for h in env if h._compiled is not None]
    assert judge(policy, call("Read", file_path="/home/u/p/.ENV")).action != "allow"


def test_a_read_or_a_plain_bash_chain_compiles_no_policy_expression() -> None:
    # Each compile is a fraction of a millisecond of every hook call, and the first one
    # imports re (a Read call's hook otherwise never does).
    policy = pickle.loads(pickle.dumps(load_policy(None).for_cache()))
    judge(policy, call("Read", file_path="/home/u/p/README.md"))
    judge(policy, bash("git status && ls -la | head -5"))
    assert not [h.pattern for h in _holders(policy) if h._compiled is not None]


def test_flags_pickle_as_a_plain_number() -> None:
    # A re.RegexFlag pickles as one: loading the policy would import re for it.
    data = pickle.dumps(LazyRegex("a.b", re.DOTALL | re.IGNORECASE))
    assert b"RegexFlag" not in data
    assert pickle.loads(data).search("xA\nB") is not None


def test_a_whole_tree_glob_matches_without_an_expression() -> None:
    globs = PathSet([PathGlob("${project}/**"), PathGlob("${project}/x/*.py")])
    roots = {"project": ("/p",), "home": ("/h",)}
    assert [regex for _, regex in globs.by_root] == [None]
    assert globs.match("/p", roots)
    assert globs.match("/p/a/b.txt", roots)
    assert not globs.match("/q/a", roots)
    assert not globs.match("/pp", roots)
