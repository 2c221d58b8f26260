"""Container runs read for their isolation (shell/containers.py): what breaks it, what is
not read, and the host paths a run names, in every spelling the CLIs accept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shell_helpers import Analyze, only

from superego_mcp.shell.model import Container


def _run(run: Analyze, line: str) -> Container:
    found = [c for c in run(line).commands if c.container is not None]
    assert len(found) == 1, (line, run(line).commands)
    container = found[0].container
    assert container is not None
    return container


@pytest.mark.parametrize(
    ("line", "breaks"),
    [
        ("docker run --privileged alpine", ["--privileged"]),
        ("docker run --privileged=true alpine", ["--privileged"]),
        ("docker run --pid=host alpine", ["--pid host"]),
        ("docker run --pid host alpine", ["--pid host"]),
        ("docker run --network host alpine", ["--network host"]),
        ("docker run --net=host alpine", ["--net host"]),
        ("docker run --ipc=host --uts=host alpine", ["--ipc host", "--uts host"]),
        ("podman run --userns=host alpine", ["--userns host"]),
        ("docker run --cgroupns host alpine", ["--cgroupns host"]),
        ("podman run --network ns:/proc/1/ns/net alpine", ["--network ns:/proc/1/ns/net"]),
        (
            "podman run --network slirp4netns:allow_host_loopback=true alpine",
            ["--network slirp4netns:allow_host_loopback=true"],
        ),
        ("docker run --cap-add SYS_PTRACE alpine", ["--cap-add SYS_PTRACE"]),
        ("docker run --cap-add=NET_ADMIN alpine", ["--cap-add NET_ADMIN"]),
        ("docker run --device /dev/sda alpine", ["--device /dev/sda"]),
        ("docker run --device-cgroup-rule 'c 1:3 mr' alpine", ["--device-cgroup-rule c 1:3 mr"]),
        (
            "docker run --security-opt seccomp=unconfined alpine",
            ["--security-opt seccomp=unconfined"],
        ),
        ("podman run --security-opt label=disable alpine", ["--security-opt label=disable"]),
        ("docker run --use-api-socket docker:cli", ["--use-api-socket"]),
        ("podman run --env-host alpine", ["--env-host"]),
        (
            "docker run -e AWS_SECRET_ACCESS_KEY alpine",
            ["forwards the host's $AWS_SECRET_ACCESS_KEY"],
        ),
        ("docker run --env=GITHUB_TOKEN alpine", ["forwards the host's $GITHUB_TOKEN"]),
        ("docker run -eTOKEN alpine", ["forwards the host's $TOKEN"]),
        ("podman run -e 'AWS_*' alpine", ["forwards the host's $AWS_*"]),
        (
            "docker run -v /var/run/docker.sock:/var/run/docker.sock alpine",
            ["mounts the container runtime's socket /var/run/docker.sock"],
        ),
        (
            "docker run --mount type=bind,src=/run/podman/podman.sock,dst=/s alpine",
            ["mounts the container runtime's socket /run/podman/podman.sock"],
        ),
        ("docker container run -it --privileged alpine sh", ["--privileged"]),
        ("nerdctl run --net=host alpine", ["--net host"]),
        ("docker compose exec --privileged web sh", ["--privileged"]),
        ("docker compose run --cap-add NET_ADMIN web sh", ["--cap-add NET_ADMIN"]),
        (
            "docker-compose run -e AWS_SESSION_TOKEN web sh",
            ["forwards the host's $AWS_SESSION_TOKEN"],
        ),
        ("docker -D run --privileged alpine", ["--privileged"]),
    ],
)
def test_what_breaks_isolation_is_named(run: Analyze, line: str, breaks: list[str]) -> None:
    container = _run(run, line)
    assert list(container.breaks) == breaks
    assert not container.isolated


@pytest.mark.parametrize(
    "line",
    [
        "docker run --rm alpine echo hi",
        "docker run -it --rm -p8080:80 --name=web -eFOO=bar nginx",
        "docker run -d --restart unless-stopped -p 127.0.0.1:5432:5432 postgres:16",
        "docker run --network none --cap-drop ALL --read-only --tmpfs /tmp alpine",
        "docker run --network=mynet --pid private --ipc shareable alpine",
        "podman run --userns=keep-id --security-opt no-new-privileges alpine",
        "docker run -v pgdata:/var/lib/postgresql/data -v /cache postgres",
        "docker run --mount type=volume,source=data,target=/data alpine",
        "docker run --mount type=tmpfs,target=/scratch alpine",
        "docker run --entrypoint sh -w /app -u 1000:1000 alpine -c 'ls /'",
        "docker run --privileged=false alpine",
        "docker create alpine",
        "docker container create alpine",
        "podman create alpine",
        "docker compose run --rm web pytest",
        "docker compose -f compose.yaml -p app exec -T web pytest",
        "docker-compose exec web bash",
        "podman-compose run web sh",
        "docker --log-level=warn run alpine",
        "docker run --help",
        "docker run alpine -- --privileged",
    ],
)
def test_runs_that_keep_isolation(run: Analyze, line: str) -> None:
    container = _run(run, line)
    assert container.isolated, container


def test_words_after_the_image_are_the_containers(run: Analyze) -> None:
    # `--privileged` and `-v /:/h` after the image are arguments of the container's
    # command, not options of the run; nor is `/etc` a path on this machine.
    cmd = only(run("docker run alpine --privileged -v /:/h ls /etc"), "docker")
    assert cmd.container is not None
    assert cmd.container.isolated
    assert cmd.paths == ()


@pytest.mark.parametrize(
    ("line", "unread"),
    [
        ("docker run --gpus all alpine", "--gpus all"),
        ("docker run --volumes-from db alpine", "--volumes-from db"),
        (
            "docker run --network container:db alpine",
            "--network container:db (another container's namespace)",
        ),
        ("docker run --runtime runc alpine", "--runtime runc"),
        (
            "podman run --network pasta:--map-gw alpine",
            "--network pasta:--map-gw (network options)",
        ),
        (
            "docker run --security-opt seccomp=profile.json alpine",
            "--security-opt seccomp=profile.json",
        ),
        ("docker run --frobnicate alpine", "--frobnicate (an option Superego does not know)"),
        ("docker run -Z alpine", "-Z (an option Superego does not know)"),
        ("docker -H tcp://build:2375 run alpine", "-H (another daemon or store)"),
        ("docker --context prod run alpine", "--context (another daemon or store)"),
        ("docker run -e TOKEN=$TOKEN alpine", "TOKEN=$TOKEN (only known at run time)"),
        ("docker run alpine echo $SECRET", "$SECRET (only known at run time)"),
        (
            "docker run --mount type=volume,src=v,dst=/d,volume-opt=device=/etc alpine",
            "--mount type=volume,src=v,dst=/d,volume-opt=device=/etc",
        ),
        (
            "docker run --mount type=devpts,target=/dev/pts alpine",
            "--mount type=devpts,target=/dev/pts",
        ),
        ("docker run -v 'a b:/x' alpine", "-v a b:/x"),
        ("docker compose --frob run web sh", "--frob (an option Superego does not know)"),
        (
            "DOCKER_HOST=ssh://prod docker run alpine",
            "$DOCKER_HOST (another daemon, file or store)",
        ),
        (
            "export COMPOSE_FILE=/srv/x.yml; docker compose run web sh",
            "$COMPOSE_FILE (another daemon, file or store)",
        ),
    ],
)
def test_what_is_not_read_is_said(run: Analyze, line: str, unread: str) -> None:
    container = _run(run, line)
    assert unread in container.unread, container
    assert not container.isolated


def test_host_paths_are_the_commands_paths(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    cmd = only(
        run(
            'docker run -v "$PWD:/src" -v ./data:/data:ro -v ~/.cache:/c '
            "--mount type=bind,source=/srv/x,target=/x --env-file .env.dev --cidfile /tmp/c.id "
            "alpine cat /etc/passwd > out.txt"
        ),
        "docker",
    )
    assert cmd.paths == (
        cwd,
        f"{cwd}/data",
        f"{home}/.cache",
        "/srv/x",
        f"{cwd}/.env.dev",
        "/tmp/c.id",
        f"{cwd}/out.txt",
    )


@pytest.mark.parametrize("spelling", ["$(pwd)", "`pwd`", "$(pwd)/src", "${PWD}"])
def test_the_working_directory_spelled_as_a_substitution_is_known(
    run: Analyze, dirs: tuple[str, str], spelling: str
) -> None:
    cwd, _ = dirs
    # after a `cd` to a place only known at run time, the directory is not known
    cmd = only(run(f'cd "$D" && docker run -v "{spelling}:/w" alpine'), "docker")
    assert cmd.container is not None
    assert not cmd.container.isolated or not cmd.paths
    assert cmd.dynamic
    cmd = only(run(f"docker run -v {spelling}:/w alpine"), "docker")
    assert cmd.container is not None
    assert cmd.container.isolated, cmd.container
    assert not cmd.dynamic
    assert cmd.paths[0] in (cwd, f"{cwd}/src")


def test_pwd_follows_cd(run: Analyze) -> None:
    cmd = only(run('cd /etc && docker run -v "$PWD:/x" -v $(pwd):/y -v .:/z alpine'), "docker")
    assert cmd.paths == ("/etc",)
    # and outside containers too: `$PWD` is the shell's directory
    assert only(run('cd /etc && ls "$PWD"'), "ls").paths == ("/etc",)
    assert only(run('cd "$D" && ls "$PWD"'), "ls").dynamic


def test_a_pwd_function_is_not_the_working_directory(run: Analyze) -> None:
    cmd = only(run("pwd() { echo /; }; docker run -v $(pwd):/h alpine"), "docker")
    assert cmd.container is not None
    assert not cmd.container.isolated
    assert cmd.dynamic


def test_a_relative_mount_through_a_symlink_is_placed_where_it_points(
    run: Analyze, dirs: tuple[str, str], tmp_path: Path
) -> None:
    cwd, _ = dirs
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, Path(cwd) / "link")
    cmd = only(run("docker run -v ./link:/x alpine"), "docker")
    assert str(outside.resolve()) in cmd.paths
    assert f"{cwd}/link" in cmd.paths


@pytest.mark.parametrize(
    "line",
    [
        "docker ps",
        "docker compose up -d",
        "docker exec api sh",
        "docker build .",
        "docker compose ps",
    ],
)
def test_other_verbs_are_no_container_runs(run: Analyze, line: str) -> None:
    assert all(c.container is None for c in run(line).commands)


# ---------------------------------------------------------------- the container's command
LOCAL = "/tmp/(container)"


def _inside(run: Analyze, line: str, program: str) -> tuple[str, ...]:
    """The paths of ``program`` run inside the line's container."""
    cmd = only(run(line), program)
    assert cmd.via[:1] in (("docker run",), ("podman run",), ("nerdctl run",)), cmd.via
    return cmd.paths


@pytest.mark.parametrize(
    "line",
    [
        'docker run -v "$PWD:/src" alpine rm -rf /src',
        "docker run --rm -v $(pwd):/src alpine rm -rf /src",
        "podman run -v .:/src alpine rm -rf /src",
        "nerdctl run -v ./:/src/ alpine rm -rf /src",
        "docker run --mount type=bind,src=.,dst=/src alpine rm -rf /src",
        "docker run --mount type=bind,source=.,target=/src,readonly=false alpine rm -rf /src",
        "docker run --entrypoint rm -v .:/src alpine -rf /src",
        "docker run --entrypoint= -v .:/src alpine rm -rf /src",
        "docker run -v .:/src -w /src alpine rm -rf .",
        "docker run -v .:/src -w /x alpine rm -rf ../src",
        "docker run -v .:/src alpine sh -c 'cd /src && rm -rf .'",
        "docker run -v .:/src alpine sh -c 'cd /src; rm -rf \"$PWD\"'",
        "docker run -v .:/src -w /x alpine sh -c 'cd ../src && rm -rf .'",
        "docker run -e D=/src -v .:/src alpine sh -c 'rm -rf \"$D\"'",
    ],
)
def test_the_commands_paths_are_mapped_to_the_mounts_host_path(
    run: Analyze, dirs: tuple[str, str], line: str
) -> None:
    cwd, _ = dirs
    assert _inside(run, line, "rm") == (cwd,)


def test_a_path_above_a_mount_reaches_it_and_the_containers_own_files(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd, _ = dirs
    assert _inside(run, "docker run -v .:/w/p alpine rm -rf /", "rm") == (cwd, LOCAL)
    assert _inside(run, "docker run -v .:/w/p alpine rm -rf /w", "rm") == (cwd, f"{LOCAL}/w")


def test_a_path_outside_every_mount_is_the_containers_own(run: Analyze) -> None:
    assert _inside(run, "docker run alpine rm -rf /etc", "rm") == (f"{LOCAL}/etc",)
    assert _inside(run, "docker run -v .:/src alpine cat /srcx/a", "cat") == (f"{LOCAL}/srcx/a",)
    # ~ is the container's home, not this one
    assert _inside(run, "docker run -v .:/src alpine rm -rf ~", "rm")[0].startswith(LOCAL)


def test_a_relative_name_in_an_unknown_directory_may_be_in_every_mount(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd, _ = dirs
    # no -w: the image's own directory, not known here
    assert _inside(run, "docker run -v .:/src alpine rm -rf build", "rm") == (cwd, LOCAL)
    assert _inside(run, "docker run -v .:/src alpine sh -c 'cd / && rm -rf src'", "rm") == (
        cwd,
        LOCAL,
    )


def test_redirects_inside_the_container_are_mapped(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    found = run("docker run -v \"$PWD:/p\" alpine sh -c 'echo {} > /p/.claude/settings.json'")
    echo = only(found, "echo")
    assert [r.target for r in echo.redirects] == [f"{cwd}/.claude/settings.json"]
    assert echo.via == ("docker run", "sh -c")


def test_scripts_are_read_through_the_mount(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    Path(cwd, "package.json").write_text('{"scripts": {"test": "rm -rf /p/.git"}}')
    Path(cwd, "t.sh").write_text("rm -rf /p/.claude\n")
    rm = only(run("docker run -v .:/p -w /p node:22 npm test"), "rm")
    assert rm.paths == (f"{cwd}/.git",)
    assert rm.origin == f"{cwd}/package.json:1"
    rm = only(run("docker run -v .:/p alpine sh /p/t.sh"), "rm")
    assert rm.paths == (f"{cwd}/.claude",)


@pytest.mark.parametrize(
    "line",
    [
        "docker run -v .:/p alpine",  # the image's entrypoint and command
        "docker run -v .:/p img --check .",  # words for the image's entrypoint
        "docker run --entrypoint '[\"sh\",\"-c\"]' -v .:/p img 'rm -rf /p'",
        "docker compose run web rm -rf /app",  # its mounts are in the compose file
        "docker create -v .:/p alpine",
    ],
)
def test_an_opaque_command_is_not_walked(run: Analyze, line: str) -> None:
    assert [c.program for c in run(line).commands] == [line.split()[0]]


COMPOSE = """\
services:
  web:
    image: python:3.12
    working_dir: /app
    volumes:
      - .:/app
      - cache:/root/.cache
      - type: bind
        source: ./docs
        target: /docs
        read_only: true
    command: python manage.py runserver
  var:
    image: alpine
    volumes: ["${SRC}:/src"]
  more:
    extends: {service: web}
volumes:
  cache: {}
"""


def test_a_compose_services_mounts_and_directory_are_its_files(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd, _ = dirs
    Path(cwd, "compose.yaml").write_text(COMPOSE)
    rm = only(run("docker compose run --rm web rm -rf /app/.git"), "rm")
    assert rm.paths == (f"{cwd}/.git",)
    assert rm.via == ("docker compose run",)
    # exec: the running service, from the same file; its working_dir places `src`
    assert only(run("docker-compose exec web rm -rf src"), "rm").paths == (f"{cwd}/src",)
    assert only(run("docker compose exec -w /docs web rm -rf x"), "rm").paths == (f"{cwd}/docs/x",)
    # named the file, or from elsewhere with --project-directory
    Path(cwd, "sub").mkdir()
    for line in (
        "docker compose -f compose.yaml run web rm -rf /app/x",
        "cd sub && docker compose -f ../compose.yaml run web rm -rf /app/x",
        "cd sub && docker compose --project-directory .. run web rm -rf /app/x",
    ):
        assert only(run(line), "rm").paths == (f"{cwd}/x",), line
    # no command given: the file's
    python = only(run("docker compose run web"), "python")
    assert python.via == ("docker compose run",)
    assert python.paths == (f"{cwd}/manage.py",)


def test_an_override_file_adds_its_mounts(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    Path(cwd, "docker-compose.yml").write_text(COMPOSE)
    Path(cwd, "docker-compose.override.yml").write_text(
        "services:\n  web:\n    volumes: ['./data:/data']\n"
    )
    assert only(run("docker compose run web rm -rf /data/x"), "rm").paths == (f"{cwd}/data/x",)


@pytest.mark.parametrize(
    "line",
    [
        "docker compose run var rm -rf /src",  # a variable compose fills in
        "docker compose run more rm -rf /app",  # extends another service
        "docker compose run nosuch rm -rf /app",
        "docker compose -f missing.yaml run web rm -rf /app",
    ],
)
def test_a_service_not_read_is_not_walked(run: Analyze, dirs: tuple[str, str], line: str) -> None:
    cwd, _ = dirs
    Path(cwd, "compose.yaml").write_text(COMPOSE)
    assert [c.program for c in run(line).commands] == ["docker"]


@pytest.mark.parametrize(
    "text",
    [
        "services: [1, 2]",
        "services: {web: {volumes: 3}}",
        "services: {web: {volumes: [{type: bind}]}}",
        "services: {web: {volumes: ['.:/a'], command: [1, {a: b}]}}",
        "services: {web: {command: 'a \"b'}}",
        "services: {web: {working_dir: 5}}",
        ":::: not yaml",
    ],
)
def test_a_compose_file_it_cannot_read_is_no_crash(
    run: Analyze, dirs: tuple[str, str], text: str
) -> None:
    cwd, _ = dirs
    Path(cwd, "compose.yaml").write_text(text)
    found = run("docker compose run web rm -rf /a")
    assert not found.findings, found.findings
    assert [c.program for c in found.commands] == ["docker"]


def test_without_a_compose_file_nothing_is_walked(run: Analyze) -> None:
    assert [c.program for c in run("docker compose exec web rm -rf /app").commands] == ["docker"]


def test_a_directory_an_option_names_is_read_through_the_mount(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd, _ = dirs
    Path(cwd, "package.json").write_text('{"scripts": {"test": "rm -rf /p/.git"}}')
    rm = only(run("docker run -v .:/p -w /w node:22 npm --prefix /p test"), "rm")
    assert rm.paths == (f"{cwd}/.git",)
    assert rm.origin == f"{cwd}/package.json:1"
    # the container's own directory: nothing of this machine is read
    found = run("docker run -v .:/p -w /w node:22 npm --prefix /srv test").commands
    assert [c.program for c in found] == ["docker", "npm"]


@pytest.mark.parametrize(
    ("service", "breaks"),
    [
        ("privileged: true", ["privileged: true"]),
        ("cap_add: [SYS_ADMIN]", ["cap_add: ['SYS_ADMIN']"]),
        ("network_mode: host", ["network_mode: host"]),
        ("pid: host", ["pid: host"]),
        ("security_opt: ['seccomp:unconfined']", ["security_opt: seccomp:unconfined"]),
        ("environment: [GITHUB_TOKEN, A=b]", ["forwards the host's $GITHUB_TOKEN"]),
        (
            "environment: {AWS_SECRET_ACCESS_KEY: null, B: c}",
            ["forwards the host's $AWS_SECRET_ACCESS_KEY"],
        ),
        (
            "volumes: ['/var/run/docker.sock:/var/run/docker.sock']",
            ["mounts the container runtime's socket /var/run/docker.sock"],
        ),
        ("network_mode: bridge\n    environment: [A=b]", []),
        ("security_opt: 5\n    env_file: 7\n    environment: 3\n    cap_add: 0", []),
    ],
)
def test_a_compose_services_isolation_is_read_from_its_file(
    run: Analyze, dirs: tuple[str, str], service: str, breaks: list[str]
) -> None:
    cwd, _ = dirs
    Path(cwd, "compose.yaml").write_text(f"services:\n  web:\n    image: alpine\n    {service}\n")
    for line in ("docker compose run --rm web", "docker compose exec web sh"):
        container = _run(run, line)
        # exec joins the running service: its environment was given when it started
        wanted = [b for b in breaks if "forwards" not in b or "exec" not in line]
        assert list(container.breaks) == wanted, line
        assert not run(line).findings, line


def test_a_compose_services_host_paths_are_the_runs(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    Path(cwd, "compose.yaml").write_text(
        "services:\n  web:\n    image: alpine\n    volumes: ['/srv/data:/d', './x:/x']\n"
        "    env_file: [.env.dev]\n"
    )
    cmd = only(run("docker compose run --rm web"), "docker")
    assert cmd.paths == (cwd, f"{cwd}/.env.dev", "/srv/data", f"{cwd}/x")
