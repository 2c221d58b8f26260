"""How the bundled policy does on the corpora in tests/corpus: dangerous calls caught,
everyday calls interrupted (asked or denied) and allowed outright, and what was deferred.

Prints figures; asserts nothing (tests/corpus/test_corpus.py holds the bar). Run:
    uv run --frozen python bench/bench_corpus.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "corpus"))

from collections import Counter

from corpus_helpers import DANGEROUS, EVERYDAY, INSTALLS, PUBLIC, load, rates

from superego_mcp.policy import load_policy


def _pct(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.1f}%)"


def main() -> None:
    """Print the rates for both corpora."""
    policy = load_policy(None)
    everyday, dangerous = load(EVERYDAY), load(DANGEROUS)
    start = time.perf_counter()
    e_counts, e_results = rates(policy, everyday)
    d_counts, d_results = rates(policy, dangerous)
    elapsed = time.perf_counter() - start
    n_e, n_d = len(everyday), len(dangerous)
    caught = d_counts["ask"] + d_counts["deny"]
    print(f"dangerous caught (ask or deny): {_pct(caught, n_d)}")
    print(f"  denied {d_counts['deny']}, asked {d_counts['ask']}")
    print(f"everyday interrupted (ask or deny): {_pct(e_counts['ask'] + e_counts['deny'], n_e)}")
    print(f"everyday allowed outright: {_pct(e_counts['allow'], n_e)}")
    print(f"everyday deferred to the agent's own settings: {_pct(e_counts['defer'], n_e)}")
    for case, action in e_results:
        if action != "allow":
            print(f"  {action:5} {case.family:13} {case.text}")
    for case, action in d_results:
        if action not in ("ask", "deny"):
            print(f"  MISSED {action:5} {case.family:13} {case.text}")
    public = load(PUBLIC)
    p_counts, p_results = rates(policy, public)
    n_p = len(public)
    ecosystems = len({c.family for c in public if c.family != INSTALLS})
    print(f"public everyday ({n_p} calls, package installs included, {ecosystems} ecosystems):")
    print(f"  denied {_pct(p_counts['deny'], n_p)}, asked {_pct(p_counts['ask'], n_p)}")
    print(f"  allowed {_pct(p_counts['allow'], n_p)}, deferred {_pct(p_counts['defer'], n_p)}")
    documented = sum(1 for c, a in p_results if a == "ask" and c.asks)
    print(f"  of the asked, {documented} are entries whose `asks:` says why they are asked")
    i_counts = Counter(a for c, a in p_results if c.family == INSTALLS)
    print(f"  of which package installs ({sum(i_counts.values())} calls): {dict(i_counts)}")
    programs: Counter[str] = Counter()
    for case, action in p_results:
        if action != "allow":
            programs[f"{action} {case.text.split()[0]}"] += 1
    print(
        "  most frequent not allowed:", ", ".join(f"{k} x{v}" for k, v in programs.most_common(15))
    )
    per_call = elapsed / (n_e + n_d) * 1e6
    print(f"{n_e + n_d} calls judged in {elapsed * 1000:.0f} ms ({per_call:.0f} us per call)")


if __name__ == "__main__":
    main()
