"""The peer-corpus checks' own readings, which need no corpus: outward-facing calls
(peer_helpers.outward_facing) must be recognised in each kind the issue names, and in-project
work left alone; the dispute groups' criteria (peer_helpers.GROUP_CRITERIA) must take their
members and refuse look-alikes. Otherwise the checks in test_peer_corpus.py would pass for the
wrong reason."""

from __future__ import annotations

import pytest
from peer_helpers import FORGE_PROPOSAL, GROUP_CRITERIA, meets_group, outward_facing


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("git push origin main", "push to a shared branch"),
        ("git push origin HEAD:refs/heads/master", "push to a shared branch"),
        ("git push -u origin release/1.2", "push to a shared branch"),
        ("cd sub && git push", "push: a branch only known at run time"),
        ("git push --force origin feature", "push: forced, deleting or every branch"),
        ("git push origin +feature", "push: forced or deleting"),
        ("git push origin :old", "push: forced or deleting"),
        ("bash -c 'git push --tags'", "push: forced, deleting or every branch"),
        ("curl -X DELETE https://api.example.com/v1/x", "remote HTTP mutation"),
        ("curl -XPOST https://api.example.com", "remote HTTP mutation"),
        ("curl -d a=b https://api.example.com", "remote HTTP mutation"),
        ("curl --data-binary @f https://api.example.com", "remote HTTP mutation"),
        ("curl -T f.txt https://up.example.com/", "remote HTTP mutation"),
        ("wget --post-data=a=b https://api.example.com", "remote HTTP mutation"),
        ("http PUT https://api.example.com/x a=b", "remote HTTP mutation"),
        ("npm publish", "publishing or deploying"),
        ("twine upload dist/*", "publishing or deploying"),
        ("docker push app:1", "publishing or deploying"),
        ("firebase deploy", "publishing or deploying"),
        ("mvn -B deploy", "publishing or deploying"),
        ("gh pr merge 4", "forge mutation"),
        ("gh issue close 4", "forge mutation"),
        ("gh api -X DELETE repos/o/r", "forge mutation"),
        ("gh api repos/o/r/labels -f name=x", "forge mutation"),
        ("gh pr create --fill", FORGE_PROPOSAL),
        ("aws ec2 run-instances --image-id ami-1", "cloud mutation"),
        ("aws s3 cp f s3://b/k", "cloud mutation"),
        ("gcloud compute instances delete vm", "cloud mutation"),
        ("kubectl apply -f k8s/", "cloud mutation"),
        ("terraform apply", "cloud mutation"),
    ],
)
def test_outward_facing_calls_are_recognised(command: str, kind: str) -> None:
    assert outward_facing(command) == kind


@pytest.mark.parametrize(
    "command",
    [
        "git push -u origin feature",
        "git push origin fix/login:fix/login",
        "git stash push -m wip",
        "git push --help",
        "git commit -am 'git push origin main'",
        "curl -o out.txt https://example.com/f",
        "curl -X POST http://localhost:7700/indexes",
        "curl -G -d q=x https://api.example.com/search",
        "wget --spider -T 10 https://example.com",
        "gh pr view 4",
        "gh api -X GET search/issues -f q=x",
        "gh -R o/r run list",
        "aws s3 ls s3://b",
        "aws ssm describe-patch-baselines",
        "gcloud run services describe svc",
        "kubectl apply --dry-run=client -f k8s/",
        "kubectl rollout status deploy/x",
        "gcloud config set project p",
        "helm repo add bitnami https://charts.bitnami.com/bitnami",
        "terraform init",
        "npm run build",
        "tar -czf a.tgz src",
    ],
)
def test_in_project_work_is_not_outward_facing(command: str) -> None:
    assert outward_facing(command) is None


@pytest.mark.parametrize(
    ("group", "command", "member"),
    [
        ("local-git", "git commit -am wip", True),
        ("local-git", "git worktree add ../wt feature", True),
        ("local-git", "git push origin main", False),
        ("local-git", "git config --global user.name x", False),
        ("local-git", "git branch -D feature", False),
        ("local-git", "git clean -fd", False),
        ("one-project-file", "env rm file.txt", True),
        ("one-project-file", "rm -rf ./build", True),
        ("one-project-file", "rm -rf src", False),
        ("one-project-file", "rm ~/notes.txt", False),
        ("one-project-file", "mv a.txt ../elsewhere/", False),
        ("edit-in-project", "sed -i 's/a/b/' f.txt", True),
        ("edit-in-project", "echo x > out.txt", True),
        ("edit-in-project", "sed -i 's/a/b/' /etc/hosts", False),
        ("edit-in-project", "echo x >> ~/.bashrc", False),
        ("web-get", "wget https://example.com/f.tgz", True),
        ("web-get", "curl -X POST https://api.example.com", False),
        ("web-get", "wget -r https://example.com", False),
        ("installs", "npm install lodash", True),
        ("installs", "npm install -g lodash", False),
        ("installs", "pip install git+https://github.com/o/r", False),
        ("archives", "tar -xzf a.tgz", True),
        ("archives", "tar -xf a.tar --to-command=sh", False),
        ("reads-only", "psql -c 'SELECT 1'", True),
        ("reads-only", "psql -c 'SELECT 1; DELETE FROM t'", False),
        ("own-containers", "docker compose down", True),
        ("own-containers", "docker compose down -v", False),
        ("project-run", "cargo test", True),
        ("project-run", "terraform init -migrate-state", False),
        ("fetch-history", "git pull --rebase", True),
        ("fetch-history", "git fetch --force origin", False),
    ],
)
def test_dispute_groups_take_members_and_refuse_look_alikes(
    group: str, command: str, member: bool
) -> None:
    assert group in GROUP_CRITERIA
    assert meets_group(group, command) is member
