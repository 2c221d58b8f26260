"""``superego-mcp init`` / ``check``: write a starter policy, validate a policy and run every
rule's examples. A bad policy file prints ``FILE:LINE: rule ID: MESSAGE`` and exits 2; no
traceback."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from superego_mcp.cli.explain import load_in_effect
from superego_mcp.policy import examples
from superego_mcp.policy.errors import PolicyError

if TYPE_CHECKING:
    import argparse


def _err(message: str) -> None:
    print(f"superego-mcp: {message}", file=sys.stderr)


# What `init` writes: a small file on top of the bundled policy, not a copy of it.
STARTER = """\
# A Superego policy on top of the bundled one (reference: docs/rules.md, "Layering").
# Check it with: superego-mcp check --rules THIS_FILE
version: 1
extends: bundled          # or [bundled, packs/NAME, other.yaml]; `none` to stand alone

# Change a bundled rule by its id (action, reason, priority, enabled):
# overrides:
#   ask-package-install: {action: allow, reason: "Installing packages is fine here."}

# Add your own rules:
rules:
  - id: ask-production-deploys
    description: An example of a rule of your own; edit or remove it.
    priority: 50
    action: ask
    reason: "This deploys to production."
    conditions:
      shell: {program: make, args: {equals: deploy-prod}}
    examples:
      match: ["make deploy-prod"]
      no_match: ["make test"]
"""


def init(args: argparse.Namespace) -> int:
    """Write a starter policy that extends the bundled one to ``--path`` (refusing to
    overwrite without ``--force``)."""
    target = args.path
    if os.path.exists(target) and not args.force:  # noqa: PTH110 - no pathlib on this path
        _err(f"{target} already exists; pass --force to overwrite it")
        return 1
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(STARTER)
    except OSError as exc:
        _err(f"cannot write {target}: {exc}")
        return 1
    print(f"wrote {target}; edit it, then run: superego-mcp check --rules {target}")
    return 0


def check(args: argparse.Namespace) -> int:
    """Validate a policy and run every rule's examples; exit 1 on a failed example, 2 on a
    bad file."""
    try:
        policy = load_in_effect(args)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # e.g. a bad settings file: say so, no traceback
        _err(str(exc))
        return 2
    from superego_mcp.policy.layers import extends_warnings

    for warning in extends_warnings(policy):
        print(warning, file=sys.stderr)
    for layer in policy.layers:
        if layer.exists:
            by = f" (extended by {layer.extended_by})" if layer.extended_by else ""
            print(f"layer {layer.name}: {layer.path}{by}")
    count, failures = examples.failed_examples(policy)
    for line in failures:
        print(line)
    status = "FAILED" if failures else "ok"
    print(
        f"{policy.source}: {len(policy.rules)} rules, {count} examples, "
        f"{len(failures)} failed: {status}"
    )
    return 1 if failures else 0
