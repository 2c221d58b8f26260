"""Container runs judged by their isolation (docs/rules.md "Containers"): the bundled rules,
the `container:` condition and its errors."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest
from policy_helpers import bash, judge, rules

from superego_mcp.policy import PolicyError, compile_policy
from superego_mcp.policy.engine import Policy

ALLOWED = [
    'docker run --rm -i -v "$PWD:$PWD" -w "$PWD" ghcr.io/jqlang/jq:latest .version package.json',
    "docker run --rm -i ghcr.io/jqlang/jq:latest < package.json '.version'",
    "docker run -v $(pwd):/wrk -w /wrk ghcr.io/google/addlicense -c 'The Cobra Authors' -check .",
    'docker run --rm -v "$PWD:/mnt" koalaman/shellcheck:stable myscript',
    "docker run -e POSTGRES_USER=app -e POSTGRES_PASSWORD=app -p 5432:5432 postgres:18.3",
    "docker compose exec -T backend bash /app/scripts/lint.sh ; docker compose exec backend bash",
    "docker compose run --rm -v ./fixtures:/fixtures web pytest",
    "cd backend && docker compose exec api alembic upgrade head",
    "docker compose --project-directory ./deploy run --rm migrate",
    "docker container run --rm -v /tmp/build:/out alpine cp -r /src /out",
    "podman run --rm -v .:/src:Z -w /src rust:1 cargo test",
    "nerdctl run --rm alpine uname -a",
    "podman run --rm --rootfs ./build/rootfs:O /bin/sh -c true",
    "docker-compose run web echo hello",
    "docker run --rm alpine rm -rf /",  # inside the container: its own root
    # the container's command, its paths through the mounts: its own files, scratch
    "docker run --rm -v .:/src alpine rm -rf /tmp/cache /var/lib/apt/lists",
    "docker run --rm -v .:/src -w /src alpine sh -c 'ls -la && cat README.md'",
    "docker run --rm -v /tmp/build:/out alpine sh -c 'rm -rf /out/x && echo hi > /out/y'",
]

ASKED = {
    "docker run --privileged -v /:/host alpine chroot /host": "ask-container-escape",
    "docker run --pid=host alpine": "ask-container-escape",
    "docker run -v /var/run/docker.sock:/var/run/docker.sock alpine": "ask-container-escape",
    "docker run -e AWS_SECRET_ACCESS_KEY amazon/aws-cli s3 ls": "ask-container-escape",
    "docker compose exec --privileged web sh": "ask-container-escape",
    "docker run --mount type=bind,source=/,target=/h alpine": "ask-container-host-mount",
    "docker run -v /etc:/etc alpine": "ask-container-host-mount",
    'cd / && docker run -v "$PWD:/h" alpine': "ask-container-host-mount",
    "docker run -v ../other:/o alpine": "ask-container-host-mount",
    "docker compose -f /srv/app/compose.yml run web sh": "ask-container-host-mount",
    # compose reads the file of the command's directory: another project's services
    "cd /srv/other && docker compose run web sh": "ask-container-host-mount",
    "cd .. && docker-compose exec db psql": "ask-container-host-mount",
    # a temp directory itself, and where the user's services keep their sockets in one
    "docker run -v /tmp:/tmp alpine": "ask-container-host-mount",
    "docker run -v /var/tmp/:/t alpine": "ask-container-host-mount",
    "docker run -v /tmp/.X11-unix:/tmp/.X11-unix -e DISPLAY=:0 jess/firefox": (
        "ask-container-host-mount"
    ),
    "docker run -v /tmp/ssh-k3Jd9x:/ssh alpine": "ask-container-host-mount",
    "docker run -v ./var/run/app.sock:/app.sock alpine": "ask-container-host-mount",
    # podman's --rootfs: the host directory in the image's place is the container's root
    "podman run --rootfs / sh": "ask-container-host-mount",
    # a host file handed over by another option: the init binary bind-mounted as PID 1
    "docker run --init --init-path /srv/tools/tini alpine": "ask-container-host-mount",
}

# The container's own command, judged as if it ran here with its paths mapped through the
# mounts (the container run alone was allowed before).
INSIDE_ASKED = {
    # the project, a whole directory in the home, is deleted: as `rm -rf ~/project` would be
    'docker run -v "$PWD:/src" alpine rm -rf /src': "deny-recursive-delete-home-or-root",
    "docker run --mount type=bind,src=.,dst=/p alpine rm -rf /p": (
        "deny-recursive-delete-home-or-root"
    ),
    "nerdctl run -v .:/w/p alpine rm -rf /": "deny-recursive-delete-home-or-root",
    "docker run --entrypoint sh -v .:/p alpine -c 'rm -rf /p/src'": (
        "ask-recursive-delete-in-project"
    ),
    "docker run -v .:/p -w /p alpine rm -rf src": "ask-recursive-delete-in-project",
    "docker run -v \"$PWD:/p\" alpine sh -c 'echo {} > /p/.claude/settings.json'": (
        "ask-write-agent-settings"
    ),
    "docker run -v $PWD:/p alpine sh -c 'echo x >> /p/.git/config'": "ask-write-git-hooks",
    "podman run -v .:/p -w /p alpine sh -c 'echo id > .git/hooks/pre-commit'": (
        "ask-write-git-hooks"
    ),
}


@pytest.mark.parametrize(("line", "rule"), INSIDE_ASKED.items())
def test_the_containers_command_is_judged_through_its_mounts(
    bundled: Policy, line: str, rule: str
) -> None:
    d = judge(bundled, bash(line))
    assert (d.action, d.rule_id) == (rule.split("-", 1)[0], rule), d.reason


def test_an_unknown_program_inside_is_the_images(bundled: Policy) -> None:
    # no rule knows `myscript`: inside the container it is the image's, judged with the run
    d = judge(bundled, bash('docker run --rm -v "$PWD:/mnt" koalaman/shellcheck myscript'))
    assert (d.action, d.rule_id) == ("allow", "allow-isolated-container-run"), d.reason
    # but a word only known at run time keeps the default
    assert judge(bundled, bash("docker run alpine sh -c 'mytool $X'")).action == "defer"


# Not read with certainty: no allow, today's answer (no rule: defer).
KEPT = [
    "docker run --gpus all pytorch/pytorch python -c 1",
    "docker run --volumes-from db alpine",
    "docker run -e TOKEN=$TOKEN alpine",
    "docker run --frobnicate alpine",
    "docker -H tcp://build:2375 run alpine",
    "pwd() { echo /; }; docker run -v $(pwd):/h alpine",
    'cd "$DIR" && docker compose run web sh',
]


@pytest.mark.parametrize("line", ALLOWED)
def test_isolated_runs_are_allowed(bundled: Policy, line: str) -> None:
    d = judge(bundled, bash(line))
    assert d.action == "allow", (d.rule_id, d.reason)


@pytest.mark.parametrize(("line", "rule"), ASKED.items())
def test_runs_that_break_isolation_are_asked(bundled: Policy, line: str, rule: str) -> None:
    d = judge(bundled, bash(line))
    assert (d.action, d.rule_id) == ("ask", rule), d.reason


@pytest.mark.parametrize("line", KEPT)
def test_what_is_not_read_keeps_todays_answer(bundled: Policy, line: str) -> None:
    assert judge(bundled, bash(line)).action == "defer"


def test_the_reason_names_each_break(bundled: Policy) -> None:
    d = judge(bundled, bash("docker run --network host --cap-add SYS_ADMIN -e GH_TOKEN alpine"))
    assert d.rule_id == "ask-container-escape"
    assert "--network host; --cap-add SYS_ADMIN; forwards the host's $GH_TOKEN" in d.reason


def test_a_mount_reason_names_the_host_path(bundled: Policy) -> None:
    d = judge(bundled, bash("docker run -v /srv/data:/data alpine"))
    assert "/srv/data" in d.reason


def test_a_home_is_never_mounted_as_the_project(bundled: Policy) -> None:
    # an agent started in the home directory: the home is the project, and still asked
    home_project = bash('docker run -v "$PWD:/src" alpine ls /src', cwd="/home/user")
    d = judge(bundled, home_project)
    assert (d.action, d.rule_id) == ("ask", "ask-container-host-mount"), d.reason
    assert judge(bundled, bash("docker run -v ./src:/src alpine", cwd="/home/user")).action == (
        "allow"
    )


def test_credentials_are_denied_before_the_container_rules(bundled: Policy) -> None:
    for line in (
        "docker run -v ~/.ssh:/root/.ssh alpine",
        "docker run --env-file ~/.aws/credentials alpine",
    ):
        assert judge(bundled, bash(line)).action == "deny", line


def test_the_condition_places_mounts_with_a_path_test() -> None:
    p = rules(
        """
        - id: ro
          priority: 1
          action: allow
          reason: isolated over the project
          conditions:
            container: isolated
            path: {all: ["${project}/**"]}
        - id: esc
          priority: 2
          action: deny
          reason: "breaks: {details}"
          conditions:
            container: [escapes]
        - id: any-run
          priority: 3
          action: ask
          reason: a run
          conditions:
            container: runs
        """,
        default="defer",
    )
    assert judge(p, bash("docker run -v .:/src alpine")).rule_id == "ro"
    assert judge(p, bash("docker run -v /srv:/src alpine")).rule_id == "any-run"
    d = judge(p, bash("docker run --privileged -v .:/s alpine"))
    assert (d.rule_id, d.reason) == ("esc", "breaks: --privileged")
    assert judge(p, bash("docker ps")).action == "defer"
    assert judge(p, bash("ls")).action == "defer"
    # compiled policies are cached pickled by the hook
    assert judge(pickle.loads(pickle.dumps(p)), bash("docker run -v .:/src alpine")).rule_id == "ro"


def test_an_unknown_act_is_an_error_with_its_line() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        rules:
          - id: r1
            action: allow
            reason: x
            conditions:
              container: isolate
        """
    )
    with pytest.raises(PolicyError) as info:
        compile_policy(text, "bad.yaml")
    assert str(info.value) == (
        "bad.yaml:7: rule r1: unknown 'container' act 'isolate' (did you mean 'isolated'?)"
    )


def test_explain_says_what_the_run_breaks_and_what_it_could_not_read(bundled: Policy) -> None:
    from policy_helpers import HOME

    from superego_mcp.explain import explanation, render

    c = bash("docker run --gpus all -e TOKEN img && docker run --rm -v .:/src img && docker ps")
    data = explanation(bundled, c, bundled.judge(c, home=HOME))
    runs = [x["container"] for x in data["commands"]]
    assert runs == [
        {"isolated": False, "breaks": ["forwards the host's $TOKEN"], "unread": ["--gpus all"]},
        {"isolated": True, "breaks": [], "unread": []},
        None,
    ]
    text = render(data)
    assert "container: breaks isolation: forwards the host's $TOKEN, not read: --gpus all" in text
    assert "container: isolated" in text


def _project(tmp_path: Path, settings: bool) -> str:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    if settings:
        (project / ".claude").mkdir()
        (project / ".claude" / "settings.json").write_text("{}\n")
    return str(project.resolve())


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (
            'docker run --rm -v "$PWD:/src" -w /src ghcr.io/org/formatter',
            "ask-container-opaque-settings",
        ),
        ("podman run -v .:/w img --fix .", "ask-container-opaque-settings"),
        (
            'docker run --rm -v "$PWD:/mnt" koalaman/shellcheck myscript',
            "ask-container-program-settings",
        ),
    ],
)
def test_opaque_code_with_write_access_to_agent_settings_is_asked(
    bundled: Policy, tmp_path: Path, line: str, rule: str
) -> None:
    cwd = _project(tmp_path, settings=True)
    d = judge(bundled, bash(line, cwd=cwd))
    assert (d.action, d.rule_id) == ("ask", rule), d.reason
    # read-only, or without agent settings in the project: the run's own answer
    ro = line.replace(":/src", ":/src:ro").replace(":/w", ":/w:ro").replace(":/mnt", ":/mnt:ro")
    assert judge(bundled, bash(ro, cwd=cwd)).action == "allow"
    other = _project(tmp_path / "other", settings=False)
    assert judge(bundled, bash(line, cwd=other)).action == "allow"


def test_a_command_that_is_read_is_judged_not_asked_for_settings(
    bundled: Policy, tmp_path: Path
) -> None:
    cwd = _project(tmp_path, settings=True)
    for line in (
        'docker run --rm -v "$PWD:/src" -w /src alpine ls -la',
        'docker run --rm -v "$PWD:/src" -w /src alpine rm -rf /tmp/cache',
    ):
        d = judge(bundled, bash(line, cwd=cwd))
        assert d.action == "allow", (line, d.rule_id, d.reason)


def test_a_word_of_the_containers_command_is_not_dockers_verb(bundled: Policy) -> None:
    # `rm` here is the container's command, not `docker rm`, in a project named superego-x
    line = 'docker run --rm -v "$PWD:/src" -w /src alpine rm -rf /tmp/x'
    assert judge(bundled, bash(line, cwd="/home/user/superego-x")).action == "allow"
    assert judge(bundled, bash("docker rm -f superego-x")).action == "deny"
    assert judge(bundled, bash("docker compose stop superego")).action == "deny"


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("docker compose run --rm web rm -rf /app/src", "ask-recursive-delete-in-project"),
        ("docker compose exec web sh -c 'echo x >> .git/config'", "ask-write-git-hooks"),
        ("docker compose run --rm web", "ask-container-program-settings"),
        ("docker compose run --rm bare", "ask-container-opaque-settings"),
    ],
)
def test_a_compose_services_command_is_judged_through_its_files_mounts(
    bundled: Policy, tmp_path: Path, line: str, rule: str
) -> None:
    cwd = _project(tmp_path, settings=True)
    Path(cwd, "compose.yaml").write_text(
        "services:\n  web:\n    image: img\n    working_dir: /app\n    volumes: ['.:/app']\n"
        "    command: mytool --fix .\n  bare:\n    image: img\n    volumes: ['.:/app']\n"
    )
    d = judge(bundled, bash(line, cwd=cwd))
    assert (d.action, d.rule_id) == ("ask", rule), d.reason
    # a service mounting only what it needs keeps the run's answer
    Path(cwd, "compose.yaml").write_text(
        "services:\n  web:\n    image: img\n    volumes: ['./src:/app/src', '.:/p:ro']\n"
        "    command: mytool --fix .\n"
    )
    assert judge(bundled, bash("docker compose run --rm web", cwd=cwd)).action == "allow"


def test_a_compose_service_its_file_declares_privileged_is_asked(
    bundled: Policy, tmp_path: Path
) -> None:
    cwd = _project(tmp_path, settings=False)
    compose = Path(cwd, "compose.yaml")
    compose.write_text("services:\n  web:\n    image: alpine\n    privileged: true\n")
    d = judge(bundled, bash("docker compose run --rm web", cwd=cwd))
    assert (d.action, d.rule_id) == ("ask", "ask-container-escape"), d.reason
    assert "privileged: true" in d.reason
    compose.write_text("services:\n  web:\n    image: alpine\n    volumes: ['/etc:/host-etc']\n")
    d = judge(bundled, bash("docker compose exec web ls", cwd=cwd))
    assert (d.action, d.rule_id) == ("ask", "ask-container-host-mount"), d.reason
    compose.write_text("services:\n  web:\n    image: alpine\n    volumes: ['./data:/data']\n")
    assert judge(bundled, bash("docker compose run --rm web", cwd=cwd)).action == "allow"
