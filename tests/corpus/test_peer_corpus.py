"""The bundled policy on the peer corpus: other guards' labelled test cases (issue 26).

The corpus is the peers' data and is not in this repository: these tests read it from
``$SUPEREGO_TEST_PEER_CORPUS``, else ``../shared/peer-corpus/corpus3.jsonl`` beside the clone,
and skip when it is absent. Every case is judged by the hook's own decision path, in this
process (``peer_helpers.InProcessHook``); a sample is also run through real hook processes
to show the two answer alike. The floors below are a ratchet: raise them as the policy
improves, never lower them to make a change pass. Cases whose label we dispute are listed
with the reason in docs/peer-corpus.md and left out of the rates.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from peer_helpers import (
    FORGE_PROPOSAL,
    GROUP_CRITERIA,
    InProcessHook,
    PeerCase,
    Sandbox,
    corpus_path,
    disagreements,
    dispute_rows,
    hook_subprocess,
    load,
    meets_group,
    outward_facing,
    sandbox,
    table,
    tally,
    wrong,
)

PATH = corpus_path()
if PATH is None:
    pytest.skip(
        "peer corpus absent (../shared/peer-corpus/corpus3.jsonl or $SUPEREGO_TEST_PEER_CORPUS)",
        allow_module_level=True,
    )

# The ratchet: what the bundled policy reaches today on the undisputed cases.
FLOOR_BLOCK_CAUGHT = 1.0  # block: denied or asked
CEILING_BLOCK_ALLOWED = 0  # block: allowed outright
# The same counting every case, the disputed ones too (the bar: >= 98% caught, none
# allowed, or a documented disagreement per case): what is left are disputes whose
# reason is that nothing harmful runs as written, and dcg's `poetry remove requests` (p8393),
# a removal of the installs family (one answer and one setting, docs/rules.md).
FLOOR_BLOCK_CAUGHT_ALL = 0.983
CEILING_BLOCK_ALLOWED_ALL = 22
FLOOR_ALLOW_ALLOWED = 0.932  # allow: allowed outright
# allow: asked or denied. The interruptions the policy means (secrets, outside the project,
# the local network, run-time names, `$(...)` words) are listed by group in
# docs/peer-corpus.md "Allow cases we interrupt on purpose"; what is left are the known
# false positives named under "Known misses".
CEILING_ALLOW_INTERRUPTED = 0.003
# confirm: allowed outright. In-project work the peers label `confirm` (commits, edits,
# formatters, builds, deleting a project file, project installs by the `installs` setting)
# is allowed on purpose and listed by group in docs/peer-corpus.md; 1% is room for a case
# another change allows before its row is written (the goal is <= 10%).
CEILING_CONFIRM_ALLOWED = 0.010
# Cases also run through real hook processes: this many per (label, answer) pair.
SAMPLE_PER_PAIR = 3

Results = list[tuple[PeerCase, str]]


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with sandbox() as made:
        yield made


@pytest.fixture(scope="module")
def results(box: Sandbox) -> Results:
    assert PATH is not None
    return InProcessHook(box).judge_all(load(PATH))


def test_rates_hold_the_floor(results: Results) -> None:
    disputed = disagreements()
    groups = tally(results, disputed)
    shown = table(groups)
    print(shown)
    overall = groups["all"]
    assert overall.caught() >= FLOOR_BLOCK_CAUGHT, shown
    assert overall.counts["block"]["allow"] <= CEILING_BLOCK_ALLOWED, shown
    assert overall.allowed() >= FLOOR_ALLOW_ALLOWED, shown
    assert overall.interrupted() <= CEILING_ALLOW_INTERRUPTED, shown
    assert overall.confirm_allowed() <= CEILING_CONFIRM_ALLOWED, shown
    everything = tally(results)["all"]
    shown_all = table({"all": everything})
    assert everything.caught() >= FLOOR_BLOCK_CAUGHT_ALL, shown_all
    assert everything.counts["block"]["allow"] <= CEILING_BLOCK_ALLOWED_ALL, shown_all


def test_every_dispute_names_a_case_we_answer_differently(results: Results) -> None:
    # A dispute whose case now meets its label (or that names no case) is stale.
    disputed = disagreements()
    by_id = {case.id: (case, action) for case, action in results}
    unknown = sorted(disputed - by_id.keys())
    assert not unknown, f"docs/peer-corpus.md names cases not in the corpus: {unknown}"
    stale = sorted(i for i in disputed if not wrong(*by_id[i]))
    assert not stale, f"docs/peer-corpus.md disputes cases we now answer as labelled: {stale}"


# A dispute row listing more ids than this must name a group whose criterion each case meets.
GROUP_ROW_MIN = 11


def test_every_dispute_row_says_what_we_answer(results: Results) -> None:
    # The label and answer columns of each row are the case's label and our answer today.
    by_id = {case.id: (case, action) for case, action in results}
    wrong_rows = [
        f"{i}: row says {label} / {ours}, case is {by_id[i][0].expect} / {by_id[i][1]}"
        for ids, label, ours, _ in dispute_rows()
        for i in ids
        if i in by_id and (by_id[i][0].expect != label or by_id[i][1] not in ours.split("/"))
    ]
    assert not wrong_rows, "\n".join(wrong_rows)


def test_grouped_disputes_meet_their_criterion(results: Results) -> None:
    # A group disputed for one reason: each case meets the group's stated criterion
    # (peer_helpers.GROUP_CRITERIA), read from the command, so none is there by mistake.
    by_id = {case.id: case for case, _ in results}
    problems: list[str] = []
    for ids, _, _, group in dispute_rows():
        if group is None:
            if len(ids) >= GROUP_ROW_MIN:
                problems.append(f"{ids[0]}...: {len(ids)} cases in a row without [group: KEY]")
            continue
        if group not in GROUP_CRITERIA:
            problems.append(f"{ids[0]}...: unknown group {group!r}")
            continue
        problems.extend(
            f"{i} is not {group} ({GROUP_CRITERIA[group][0]}): {by_id[i].text}"
            for i in ids
            if i in by_id and not meets_group(group, by_id[i].text)
        )
    assert not problems, "\n".join(problems)


def test_no_outward_facing_call_is_allowed(results: Results) -> None:
    # Issue 26: of the cases the peers want confirmed or blocked, none that reaches others
    # (a push to a shared branch, a remote HTTP mutation, publishing or deploying, a cloud,
    # cluster or forge mutation) may be allowed, disputed or not. Opening a pull request or
    # issue is the one exception the project makes (issue 20), and each such case must be
    # listed with its reason in docs/peer-corpus.md.
    disputed = disagreements()
    outward = [
        (case, why)
        for case, action in results
        if action == "allow" and case.expect != "allow" and case.tool_name == "Bash"
        if (why := outward_facing(case.tool_input["command"]))
    ]
    found = [f"{c.id} [{why}] {c.text}" for c, why in outward if why != FORGE_PROPOSAL]
    assert not found, "\n".join(found)
    undocumented = [c.id for c, _ in outward if c.id not in disputed]
    assert not undocumented, (
        f"allowed pull requests / issues not in docs/peer-corpus.md: {undocumented}"
    )


def _sample(results: Results) -> Results:
    """Up to SAMPLE_PER_PAIR cases of every (label, answer) pair, spread over the file."""
    pairs: dict[tuple[str, str], Results] = {}
    for case, action in results:
        pairs.setdefault((case.expect, action), []).append((case, action))
    sample: Results = []
    for group in pairs.values():
        step = max(1, len(group) // SAMPLE_PER_PAIR)
        sample.extend(group[::step][:SAMPLE_PER_PAIR])
    return sample


def test_in_process_answers_as_the_hook_process_does(box: Sandbox, results: Results) -> None:
    sample = _sample(results)
    assert len({action for _, action in sample}) >= 3  # the sample covers several answers
    differ = [
        f"{case.id} {case.text}: in-process {action}, hook process {real}"
        for case, action in sample
        if (real := hook_subprocess(box, case)) != action
    ]
    assert not differ, "\n".join(differ)
