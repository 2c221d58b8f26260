"""How the bundled policy does on the peer corpus (other guards' labelled test cases).

Prints, overall, per peer and per command class: ``block`` cases caught (deny or ask) and
allowed, ``allow`` cases allowed and interrupted (ask or deny), ``confirm`` cases allowed;
then the same with the cases docs/peer-corpus.md disputes left out, the `confirm`/`block`
cases allowed that reach others (peer_helpers.outward_facing), and with ``--misses`` every
case that misses its label. Asserts nothing (tests/corpus/test_peer_corpus.py holds
the floor). The corpus is read from ``$SUPEREGO_TEST_PEER_CORPUS``, else
``../shared/peer-corpus/corpus3.jsonl`` beside the clone. Run:
    uv run --frozen python bench/bench_peer.py [--misses] [--expect block|allow|confirm]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "corpus"))

from peer_helpers import (
    InProcessHook,
    corpus_path,
    disagreements,
    load,
    outward_facing,
    sandbox,
    table,
    tally,
    wrong,
)


def main() -> None:
    """Judge every case and print the rates (and the misses when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every missed case")
    parser.add_argument("--expect", choices=("block", "allow", "confirm"), default=None)
    parser.add_argument("--save", type=Path, help="write each case's answer here (JSON)")
    parser.add_argument("--diff", type=Path, help="list the answers that differ from --save's")
    args = parser.parse_args()
    path = corpus_path()
    if path is None:
        sys.exit("peer corpus not found (set SUPEREGO_TEST_PEER_CORPUS or put it in ../shared)")
    cases = load(path)
    with sandbox() as box:
        hook = InProcessHook(box)
        start = time.perf_counter()
        results = hook.judge_all(cases)
        elapsed = time.perf_counter() - start
    print(f"peer corpus: {path} ({len(cases)} cases)\n")
    answers = {case.id: action for case, action in results}
    if args.save:
        args.save.write_text(json.dumps(answers))
    if args.diff:
        before = json.loads(args.diff.read_text())
        for case, action in results:
            if before.get(case.id) != action:
                was = before.get(case.id)
                print(f"{case.id} {case.expect:7} {was} -> {action:6} {case.text[:120]}")
        print()
    print(table(tally(results)))
    disputed = disagreements()
    if disputed:
        print(f"\nwithout the {len(disputed)} cases docs/peer-corpus.md disputes:\n")
        print(table({k: v for k, v in tally(results, disputed).items() if ":" not in k}))
    if args.misses:
        print()
        for case, action in results:
            wanted = args.expect is None or case.expect == args.expect
            if wanted and wrong(case, action) and case.id not in disputed:
                print(f"{case.id} {case.expect:7} {action:6} {case.cls:14} {case.text}")
    outward = [
        f"{case.id} {case.expect:7} [{why}] {case.text}"
        for case, action in results
        if action == "allow" and case.expect != "allow" and case.tool_name == "Bash"
        if (why := outward_facing(case.tool_input["command"]))
    ]
    print(f"\nconfirm/block cases allowed that reach others (outward-facing): {len(outward)}")
    for line in outward:
        print(f"  {line}")
    per_call = elapsed / len(cases) * 1e6
    print(f"\n{len(cases)} calls judged in {elapsed:.1f} s ({per_call:.0f} us per call)")


if __name__ == "__main__":
    main()
