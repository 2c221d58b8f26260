"""Policy layers: the bundled policy, the user's, the project's and ``--rules``, merged.

Layers, lowest first (docs/rules.md "Layering" is the reference):

1. ``bundled`` -- the policy shipped with Superego; in effect when no user or ``--rules`` file
   exists, or when some file in effect extends it (``extends: bundled``);
2. ``user`` -- ``$XDG_CONFIG_HOME/superego/policy.yaml`` (``~/.config/superego/policy.yaml``);
3. ``project`` -- ``.superego/policy.yaml`` at the project root (``superego_mcp.project``);
4. ``rules`` -- ``--rules`` / ``$SUPEREGO_RULES`` / ``rules:`` in the settings file.

A file's ``extends`` (``bundled``, ``packs/NAME``, or files relative to it) are merged just
below it; a file is merged once, where it first appears. Each file may add rules, change rules
of the files below with ``overrides``, and change the default. On equal priorities a higher
file's rule is tried first. Loosening: a rule marked ``final`` cannot be loosened by any
layer (an override that would is an error; a rule placed before it cannot loosen its answer);
the project layer (and what it extends) may tighten anything but loosen only the rule ids the
user or ``--rules`` layer lists in ``project_may_loosen`` (``default`` for the default,
``"*"`` for every rule that is not final).
"""

# os.path, not pathlib: the hook compiles policies through here on a cache miss.
# ruff: noqa: PTH100, PTH109, PTH110, PTH111, PTH113, PTH117, PTH118, PTH120, PTH208

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from superego_mcp.model import more_restrictive
from superego_mcp.policy.engine import Layer, Policy
from superego_mcp.policy.errors import PolicyError
from superego_mcp.policy.legacy import compile_legacy
from superego_mcp.policy.loader import (
    BUNDLED_POLICY,
    Reader,
    SourceFile,
    read_current,
    read_policy_text,
)
from superego_mcp.policy.matchers import suggest

if TYPE_CHECKING:
    from superego_mcp.model import Action
    from superego_mcp.policy.engine import Rule

PACKS_DIR = os.path.join(os.path.dirname(BUNDLED_POLICY), "packs")
# The name of a policy given as text (pasted into the dashboard), in errors and `source`.
PASTED = "<pasted>"
# Where a project keeps its policy, relative to the project root.
PROJECT_POLICY = os.path.join(".superego", "policy.yaml")
# The rules the `installs` setting governs: `ask` turns them off, so the install family
# falls to the bundled ask-package-install (docs/rules.md "Package installs").
INSTALL_RULES = frozenset({"allow-package-install"})
# Layers a project committer does not control.
_TRUSTED = frozenset({"bundled", "user", "rules"})
# Ties in priority: a higher file's rules first. Rules of one file keep file order.
_RANK = 1_000_000


class TopFile:
    """A layer's own file: its layer name, path and text (``None``: looked for, absent)."""

    __slots__ = ("layer", "path", "text")

    def __init__(self, layer: str, path: str, text: str | None) -> None:
        self.layer = layer
        self.path = path
        self.text = text


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Load and compile one policy file and the files it extends; ``None`` loads the bundled
    policy. (The layered policy in effect is :func:`load_layers`.)

    Raises :class:`PolicyError` (``FILE:LINE: rule ID: MESSAGE``) for anything wrong with it.
    """
    name = BUNDLED_POLICY if path is None else os.fspath(path)
    return compile_policy(read_policy_text(name), name)


def compile_policy(text: str, source_name: str = "<policy>") -> Policy:
    """Compile policy text (``source_name`` is used in errors and kept as ``Policy.source``)
    with the files it extends. Files in the superego-mcp 0.0.0 format are recognised and
    translated."""
    layer = "bundled" if source_name == BUNDLED_POLICY else "rules"
    return compose([TopFile(layer, source_name, text)], bundled_base=False)


def read_source(text: str, path: str) -> SourceFile:
    """Read one policy file (either format) into a :class:`SourceFile`."""
    reader = Reader(text, path)
    try:
        root = reader.root()
        src = SourceFile(path, hashlib.sha256(text.encode("utf-8")).hexdigest())
        top = reader.mapping(root, "the policy file")
        # Version 1 files say so; 0.0.0 files have no version or a string one ("1.0").
        if "version" not in top or isinstance(reader.value(top["version"]), str):
            rules, action, reason = compile_legacy(reader, top)
            src.rules, src.default, src.legacy = rules, (action, reason, 1), True
            return src
        read_current(reader, top, src)
        return src
    finally:
        reader.close()


def project_policy_path(project_dir: str) -> str:
    """The project layer's file under ``project_dir``."""
    return os.path.join(project_dir, PROJECT_POLICY)


def default_project() -> str:
    """The project of this process: ``$CLAUDE_PROJECT_DIR``, else the git work tree of the
    cwd, else the cwd (``superego_mcp.project``)."""
    from superego_mcp.project import given_project, project_root

    return project_root(os.getcwd(), given=given_project(os.environ), home=os.environ.get("HOME"))


def load_layers(
    rules: str | None,
    *,
    user: str | None,
    project_dir: str | None,
    protect: tuple[str, ...] = (),
    rules_text: str | None = None,
) -> Policy:
    """The policy in effect: the layers found (see the module docstring) merged.

    ``user`` is the user layer's file (``None``: no user layer), ``project_dir`` the project
    root (``None``: no project layer), ``rules`` the explicit file. ``protect`` adds files and
    directories (the settings file, the cache and state directories) to what ``${superego}``
    stands for. ``rules_text``, when given, is the ``rules`` layer's text, not read from a
    file: ``rules`` is then only its name in errors (a policy pasted into the dashboard).
    Raises :class:`PolicyError` naming the file and line of any problem.
    """
    tops: list[TopFile] = []
    if rules_text is not None:
        rules = rules or PASTED
    for layer, path in (
        ("user", user),
        ("project", project_policy_path(project_dir) if project_dir else None),
        ("rules", (rules if rules_text is not None else os.path.abspath(rules)) if rules else None),
    ):
        if path is None:
            continue
        text: str | None = None
        if layer == "rules" and rules_text is not None:
            text = rules_text
        elif layer == "rules" or os.path.exists(path):
            text = read_policy_text(path)
        tops.append(TopFile(layer, path, text))
    present = {t.layer for t in tops if t.text is not None}
    policy = compose(tops, bundled_base=not present & {"user", "rules"})
    # The layer directories are protected too: renaming one would switch its layer off.
    dirs = tuple(os.path.dirname(t.path) for t in tops if t.layer in ("user", "project"))
    policy.protected = _unique(policy.protected + dirs + protect)
    return policy


def compose(tops: list[TopFile], *, bundled_base: bool) -> Policy:
    """Merge layer files (lowest first) and what they extend into one policy.

    ``bundled_base`` puts the bundled policy below everything. Files with ``text=None`` are
    recorded as looked-for layers and protected, but add nothing.
    """
    order: list[tuple[SourceFile, str, str | None]] = []  # (file, layer, extended_by)
    seen: set[str] = set()
    if bundled_base:
        _add(TopFile("bundled", BUNDLED_POLICY, None), order, seen, [])
    missing: list[Layer] = []
    for top in tops:
        if top.text is None:
            missing.append(Layer(top.layer, top.path, exists=False))
            continue
        _add(top, order, seen, [])
    if not order:
        _add(TopFile("bundled", BUNDLED_POLICY, None), order, seen, [])
    # The bundled policy extended by a trusted layer is the lowest layer, whichever layer
    # extends it: a project's overrides of bundled rules then have rules to change.
    order.sort(key=lambda entry: entry[1] != "bundled")
    has_project = any(layer == "project" for _, layer, _ in order)
    full = _Merge()
    trusted = _Merge(lenient=True) if has_project else None
    loosenable: set[str] = set()
    for index, (src, layer, _) in enumerate(order):
        rank = (len(order) - index) * _RANK
        is_trusted = layer in _TRUSTED
        for rule in src.rules:
            rule.file, rule.layer = src.path, layer
            rule.order += rank
        if src.may_loosen is not None:
            ids, line = src.may_loosen
            if not is_trusted:
                raise PolicyError(
                    "'project_may_loosen' is for the user or --rules layer: a project "
                    "policy cannot grant itself permission to loosen",
                    file=src.path,
                    line=line,
                )
            loosenable.update(ids)
        for merge in (full, trusted if is_trusted else None):
            if merge is not None:
                merge.apply(src, layer)
    top_path = order[-1][0].path
    digest = (
        order[0][0].digest
        if len(order) == 1
        else hashlib.sha256(
            "\0".join(f"{s.path}\0{s.digest}" for s, _, _ in order).encode()
        ).hexdigest()
    )
    layers = tuple(Layer(layer, s.path, True, by, s.digest) for s, layer, by in order)
    layers += tuple(missing)
    floor = trusted.policy(top_path, digest, ()) if trusted is not None else None
    policy = full.policy(top_path, digest, layers)
    policy.legacy = len(order) == 1 and order[0][0].legacy
    policy.floor = floor
    policy.loosenable = frozenset(loosenable)
    policy.protected = _unique(tuple(layer.path for layer in layers))
    return policy


class _Merge:
    """Rules and default as merged so far (one for the full policy, one without the project
    layer)."""

    def __init__(self, *, lenient: bool = False) -> None:
        # The merge without the project layer skips overrides of rules only the project
        # defines (the full merge, which runs first, has checked that they exist).
        self.lenient = lenient
        self.rules: dict[str, Rule] = {}
        self.action: Action = "ask"
        self.reason = "No rule covers this call."
        self.where = "built-in"

    def apply(self, src: SourceFile, layer: str) -> None:
        for ov in src.overrides:
            if self.lenient and ov.rule_id not in self.rules:
                continue
            rule = _override(self.rules, ov.rule_id, ov.fields, src, ov.line)
            rule.overridden = f"{layer} {src.path}:{ov.line}"
            self.rules[ov.rule_id] = rule
        for rule in src.rules:
            if rule.id in self.rules:
                first = self.rules[rule.id]
                raise PolicyError(
                    f"rule id {rule.id!r} is already defined in {first.file}:{first.line}; "
                    "change it with 'overrides' instead",
                    file=src.path,
                    line=rule.line,
                    rule_id=rule.id,
                )
            self.rules[rule.id] = rule
        if src.default is not None:
            action, reason, line = src.default
            self.action = action or self.action
            self.reason = reason or self.reason
            self.where = f"{layer} {src.path}:{line}"

    def policy(self, source: str, digest: str, layers: tuple[Layer, ...]) -> Policy:
        policy = Policy(
            source=source,
            digest=digest,
            rules=list(self.rules.values()),
            default_action=self.action,
            default_reason=self.reason,
            layers=layers,
        )
        policy.default_where = self.where
        return policy


def _override(
    rules: dict[str, Rule], rule_id: str, fields: dict[str, object], src: SourceFile, line: int
) -> Rule:
    """The rule ``rule_id`` with ``fields`` changed, or an error at the override's line."""
    rule = rules.get(rule_id)
    if rule is None:
        raise PolicyError(
            f"no rule {rule_id!r} below this file to override{suggest(rule_id, list(rules))}",
            file=src.path,
            line=line,
            rule_id=rule_id,
        )
    if rule.final:
        action = fields.get("action", rule.action)
        loosens = (
            more_restrictive(rule.action, action) != action  # type: ignore[arg-type]
            or fields.get("enabled", True) is False
            or fields.get("final", True) is False
            or ("priority" in fields and fields["priority"] != rule.priority)
        )
        if loosens:
            raise PolicyError(
                f"rule {rule_id!r} is final ({rule.file}:{rule.line}): no layer may disable, "
                "move or loosen it (a stricter action or another reason is allowed)",
                file=src.path,
                line=line,
                rule_id=rule_id,
            )
    return rule.copy(**fields)


def _add(
    top: TopFile | SourceFile,
    order: list[tuple[SourceFile, str, str | None]],
    seen: set[str],
    stack: list[str],
    *,
    layer: str | None = None,
    extended_by: str | None = None,
) -> None:
    """Append a file after what it extends (depth first), each file once."""
    if isinstance(top, TopFile):
        text = top.text if top.text is not None else read_policy_text(top.path)
        src = read_source(text, top.path)
        layer = top.layer
    else:
        src = top
    assert layer is not None
    key = os.path.realpath(src.path)
    if key in seen:
        return
    stack = [*stack, key]
    for name, line in src.extends:
        path, child_layer = _resolve(name, src.path, line, layer)
        child_key = os.path.realpath(path)
        if child_key in stack:
            raise PolicyError(f"'extends' makes a cycle through {path}", file=src.path, line=line)
        if child_key in seen:
            continue
        try:
            text = read_policy_text(path)
        except PolicyError as exc:
            raise PolicyError(
                f"cannot extend {name!r}: {exc.message}", file=src.path, line=line
            ) from None
        child = read_source(text, path)
        _add(child, order, seen, stack, layer=child_layer, extended_by=src.path)
    seen.add(key)
    order.append((src, layer, extended_by))


def _resolve(name: str, base: str, line: int, layer: str) -> tuple[str, str]:
    """The path an ``extends`` entry names, and the layer its rules belong to: the extending
    file's (so a project cannot make its files trusted), except that the bundled policy
    extended by a trusted layer is the ``bundled`` layer."""
    if name == "bundled":
        return BUNDLED_POLICY, "bundled" if layer in _TRUSTED else layer
    if name.startswith("packs/"):
        pack = name[len("packs/") :]
        path = os.path.join(PACKS_DIR, pack + ".yaml")
        if "/" in pack or not pack or not os.path.isfile(path):
            known = available_packs()
            listed = ", ".join(known) or "none"
            raise PolicyError(
                f"no rule pack {pack!r}{suggest(pack, known)} (packs: {listed})",
                file=base,
                line=line,
            )
        return path, layer
    path = os.path.expanduser(name)
    if not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(base)), path)
    return os.path.normpath(path), layer


def available_packs() -> list[str]:
    """Names of the bundled rule packs (``extends: packs/NAME``)."""
    try:
        return sorted(n[:-5] for n in os.listdir(PACKS_DIR) if n.endswith(".yaml"))
    except OSError:
        return []


def _unique(paths: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for p in paths:
        for form in (os.path.abspath(p), os.path.realpath(p)):
            if form not in out:
                out.append(form)
    return tuple(out)


def extends_warnings(policy: Policy) -> list[str]:
    """``check``'s warnings: layer files that neither extend the bundled policy (directly or
    through a file they extend) nor say ``extends: none``."""
    warnings: list[str] = []
    for layer in policy.layers:
        if not layer.exists or layer.extended_by is not None or layer.name == "bundled":
            continue
        try:
            src = read_source(read_policy_text(layer.path), layer.path)
        except PolicyError:
            continue
        if not src.says_extends:
            warnings.append(
                f"{layer.path}:1: warning: this file replaces the bundled policy (it has no "
                "'extends'): add 'extends: bundled' to build on it, or 'extends: none' to "
                "say it stands alone"
            )
    return warnings
