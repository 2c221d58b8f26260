"""Canonical, spelling-insensitive flag names, and the split of argv into flags and operands.

A rule says ``flags: [recursive]`` (or ``[-rf]``, or ``[--recursive]``) and must match
``rm -r -f``, ``rm -Rf``, ``rm --recursive --force`` and ``rm --rec -f`` alike. For the
programs that matter to a security policy the table below maps every spelling to a name;
for anything else a short flag is ``-x`` and a long flag is ``--name`` (value stripped).
"""

from __future__ import annotations

from .detect import interpreter

# Tables are keyed by program, or by "program subcommand" for programs with subcommands.
# Each entry: canonical name -> spellings. Written this way round to stay readable.
_NAMES: dict[str, dict[str, str]] = {
    "rm": {
        "recursive": "-r -R --recursive",
        "force": "-f --force",
        "interactive": "-i -I --interactive",
        "dir": "-d --dir",
        "no-preserve-root": "--no-preserve-root",
        "verbose": "-v --verbose",
    },
    "cp": {
        "recursive": "-r -R --recursive -a --archive",
        "archive": "-a --archive",
        "force": "-f --force",
        "no-clobber": "-n --no-clobber",
        "link": "-l --link",
        "symbolic-link": "-s --symbolic-link",
        "dereference": "-L --dereference",
        "target-directory": "-t --target-directory",
    },
    "mv": {
        "force": "-f --force",
        "no-clobber": "-n --no-clobber",
        "interactive": "-i --interactive",
        "target-directory": "-t --target-directory",
    },
    "chmod": {"recursive": "-R --recursive", "verbose": "-v --verbose", "reference": "--reference"},
    "chown": {"recursive": "-R --recursive", "dereference": "-h --no-dereference"},
    "chgrp": {"recursive": "-R --recursive"},
    "ln": {"symbolic": "-s --symbolic", "force": "-f --force", "no-dereference": "-n"},
    "git push": {
        "force": "-f --force",
        "force-with-lease": "--force-with-lease --force-if-includes",
        "delete": "-d --delete",
        "mirror": "--mirror",
        "all": "--all",
        "tags": "--tags",
        "no-verify": "--no-verify",
        "set-upstream": "-u --set-upstream",
    },
    "git reset": {
        "hard": "--hard",
        "soft": "--soft",
        "mixed": "--mixed",
        "keep": "--keep",
        "merge": "--merge",
    },
    "git rm": {
        "force": "-f --force",
        "recursive": "-r",
        "cached": "--cached",
        "dry-run": "-n --dry-run",
        "quiet": "-q --quiet",
    },
    "git tag": {"delete": "-d --delete", "force": "-f --force", "list": "-l --list"},
    "git merge": {"abort": "--abort", "quit": "--quit", "continue": "--continue"},
    "git cherry-pick": {"abort": "--abort", "quit": "--quit", "continue": "--continue"},
    "git revert": {"abort": "--abort", "quit": "--quit", "continue": "--continue"},
    "git am": {"abort": "--abort", "quit": "--quit", "continue": "--continue"},
    "git restore": {
        "staged": "-S --staged",
        "worktree": "-W --worktree",
        "patch": "-p --patch",
        "source": "-s --source",
        "pathspec-from-file": "--pathspec-from-file",
    },
    "git clean": {
        "force": "-f --force",
        "dirs": "-d",
        "ignored": "-x",
        "only-ignored": "-X",
        "dry-run": "-n --dry-run",
        "interactive": "-i --interactive",
    },
    "git checkout": {
        "force": "-f --force",
        "branch": "-b -B",
        "orphan": "--orphan",
        "pathspec-from-file": "--pathspec-from-file",
    },
    "git switch": {"force": "-f --force --discard-changes", "create": "-c -C --create"},
    "git branch": {
        "delete": "-d --delete",
        "force-delete": "-D",
        "force": "-f --force",
        "move": "-m --move -M",
    },
    "git commit": {
        "no-verify": "-n --no-verify",
        "amend": "--amend",
        "all": "-a --all",
        "message": "-m --message",
    },
    "git rebase": {
        "interactive": "-i --interactive",
        "exec": "-x --exec",
        "abort": "--abort",
        "quit": "--quit",
        "continue": "--continue",
    },
    "git stash": {},
    "curl": {
        "output": "-o --output",
        "remote-name": "-O --remote-name --remote-name-all",
        "data": "-d --data --data-binary --data-raw --data-urlencode --data-ascii --json",
        "form": "-F --form --form-string",
        "request": "-X --request",
        "upload": "-T --upload-file",
        "insecure": "-k --insecure",
        "location": "-L --location",
        "silent": "-s --silent",
        "header": "-H --header",
        "user": "-u --user",
        "config": "-K --config",
    },
    "wget": {
        "output": "-O --output-document",
        "data": "--post-data --post-file --body-data --body-file",
        "insecure": "--no-check-certificate",
        "quiet": "-q --quiet",
        "input-file": "-i --input-file",
        "directory-prefix": "-P --directory-prefix",
        "method": "--method",
    },
    "dd": {},
    "sed": {
        "in-place": "-i --in-place",
        "expression": "-e --expression",
        "file": "-f --file",
        "quiet": "-n --quiet --silent",
        "regexp-extended": "-E -r --regexp-extended",
    },
    "tar": {
        "extract": "-x --extract --get",
        "create": "-c --create",
        "list": "-t --list",
        "file": "-f --file",
        "directory": "-C --directory",
        "gzip": "-z --gzip",
        "delete": "--delete",
        "to-command": "--to-command",
        "checkpoint-action": "--checkpoint-action",
        "absolute-names": "-P --absolute-names",
        "overwrite": "--overwrite",
    },
    "rsync": {
        "delete": (
            "--delete --delete-before --delete-during --delete-delay --delete-after "
            "--delete-excluded --del"
        ),
        "remove-source-files": "--remove-source-files",
        "archive": "-a --archive",
        "recursive": "-r --recursive -a --archive",
        "rsh": "-e --rsh",
        "dry-run": "-n --dry-run",
    },
    "docker run": {
        "privileged": "--privileged",
        "volume": "-v --volume --mount",
        "interactive": "-i --interactive",
        "tty": "-t --tty",
        "remove": "--rm",
        "detach": "-d --detach",
        "user": "-u --user",
        "env": "-e --env",
        "publish": "-p --publish",
    },
    "docker rm": {"force": "-f --force", "volumes": "-v --volumes"},
    "docker system prune": {"all": "-a --all", "force": "-f --force", "volumes": "--volumes"},
    "kubectl delete": {
        "all": "--all",
        "all-namespaces": "-A --all-namespaces",
        "force": "--force",
        "filename": "-f --filename",
        "namespace": "-n --namespace",
    },
    "npm install": {
        "global": "-g --global",
        "force": "-f --force",
        "save-dev": "-D --save-dev",
        "ignore-scripts": "--ignore-scripts",
        "unsafe-perm": "--unsafe-perm",
        "registry": "--registry",
    },
    "pip install": {
        "user": "--user",
        "upgrade": "-U --upgrade",
        "break-system-packages": "--break-system-packages",
        "requirement": "-r --requirement",
        "editable": "-e --editable",
        "index-url": "-i --index-url",
        "extra-index-url": "--extra-index-url",
        "force-reinstall": "--force-reinstall",
        "target": "-t --target",
        "trusted-host": "--trusted-host",
    },
    "find": {},
    "xargs": {},
}

# Options that take a value, per table key ("-x" short, "--name" long). A trailing "?" marks
# a short option whose value is optional and only ever attached ("sed -i.bak").
_VALUED: dict[str, str] = {
    "cp": "-t --target-directory -S --suffix",
    "mv": "-t --target-directory -S --suffix",
    "chmod": "--reference",
    "chown": "--from --reference",
    "git": "-C -c --git-dir --work-tree --namespace --config-env --super-prefix",
    "git push": "--repo -o --push-option --receive-pack --exec",
    "git commit": "-m --message -F --file -C -c --author --date --fixup --squash -t",
    "git checkout": (
        "-b -B --orphan --pathspec-from-file --conflict -U --unified --inter-hunk-context"
    ),
    "git restore": (
        "-s --source -U --unified --inter-hunk-context --conflict --pathspec-from-file"
    ),
    "git rm": "--pathspec-from-file",
    "git log": (
        "--grep --author --committer --format --pretty --since --until --after --before "
        "-n --max-count --skip --date -G -S --grep-reflog"
    ),
    "git grep": "-e -f -m --max-count -A -B -C --max-depth",
    "git clean": "-e --exclude",
    "git rebase": "-x --exec --onto -s --strategy -X",
    "git reset": "--pathspec-from-file",
    "git tag": "-m --message -F --file -u --local-user --sort --format --contains --points-at",
    "curl": (
        "-o --output -d --data --data-binary --data-raw --data-urlencode --data-ascii --json "
        "-F --form --form-string -X --request -T --upload-file -H --header -u --user -K "
        "--config -A --user-agent -e --referer -b --cookie -c --cookie-jar -x --proxy "
        "--connect-timeout -m --max-time -w --write-out --url -r --range -E --cert --key "
        "--cacert --resolve --retry -U --proxy-user --connect-to --max-redirs --retry-delay "
        "--retry-max-time --interface --oauth2-bearer --noproxy -Q --quote --socks4 --socks4a "
        "--socks5 --socks5-hostname --preproxy --proxy-header --limit-rate -y --speed-time "
        "-Y --speed-limit --cert-type --key-type --pass --ciphers --tls-max --dns-servers "
        "--local-port --max-filesize --netrc-file --proto --proto-redir --trace --trace-ascii "
        "--stderr -D --dump-header --unix-socket --abstract-unix-socket --capath --crlfile "
        "--pinnedpubkey -z --time-cond --output-dir -C --continue-at --keepalive-time "
        "--expect100-timeout --happy-eyeballs-timeout-ms --proxy-cacert --proxy-cert "
        "--proxy-key --hsts --alt-svc --etag-save --etag-compare --aws-sigv4 --variable "
        "--parallel-max --create-file-mode --mail-from --mail-rcpt --mail-auth --ftp-port "
        "-P --ftp-method --tlsuser --tlspassword --login-options --sasl-authzid --service-name"
    ),
    "wget": (
        "-O --output-document -o --output-file -a --append-output --post-data --post-file "
        "--body-data --body-file -i --input-file -P --directory-prefix --method --header "
        "-U --user-agent -t --tries -T --timeout --user --password -e --execute"
    ),
    "sed": "-e --expression -f --file -l --line-length -i? -s",
    "tar": (
        "-f --file -C --directory --to-command --checkpoint-action -T --files-from -X "
        "--exclude-from --exclude -b --blocking-factor -H --format --owner --group --mode"
    ),
    "rsync": (
        "-e --rsh --exclude --include --exclude-from --include-from --files-from --filter "
        "-f --rsync-path --chmod --chown -T --temp-dir --partial-dir --backup-dir --port"
    ),
    "docker": "-H --host --context -c --config -l --log-level --tlscacert --tlscert --tlskey",
    "docker run": (
        "-v --volume --mount -e --env --env-file -u --user -p --publish -w --workdir "
        "--name --network --net --pid --ipc --uts --userns --cap-add --cap-drop "
        "--security-opt --device --entrypoint -h --hostname --label -l --platform "
        "--memory -m --cpus --restart --add-host --dns --tmpfs --ulimit --gpus"
    ),
    "kubectl": (
        "-n --namespace --context --kubeconfig -s --server --cluster --user --token "
        "--as --as-group -l --selector -o --output -f --filename -k --kustomize"
    ),
    "kubectl delete": "-f --filename --grace-period --timeout --cascade -l --selector",
    "npm": "--prefix --registry -w --workspace --cache --userconfig",
    "npm install": "--registry --prefix --tag",
    "pip": "--python --cache-dir --log --proxy --timeout --retries",
    "pip install": (
        "-r --requirement -e --editable -i --index-url --extra-index-url -t --target "
        "-c --constraint --trusted-host --root --prefix -f --find-links --platform"
    ),
    "uv": "--directory --project --python -p --cache-dir --config-file",
    "cargo": "-C --manifest-path --config -Z --color",
    "go": "-C",
    "go build": (
        "-C -o -p -tags -ldflags -gcflags -asmflags -mod -modfile -pkgdir -overlay -toolexec"
    ),
    "go test": (
        "-C -o -p -tags -ldflags -gcflags -mod -run -skip -bench -benchtime -count -cpu "
        "-parallel -timeout -coverprofile -covermode -coverpkg -fuzz -fuzztime -shuffle -exec "
        "-blockprofile -cpuprofile -memprofile -mutexprofile -outputdir -trace -list"
    ),
    "go run": "-C -o -p -tags -ldflags -gcflags -mod -exec",
    "go install": "-C -p -tags -ldflags -gcflags -mod",
    "go vet": "-C -tags -vettool",
    "go generate": "-C -run -skip",
    "terraform": "-chdir",
    "terraform plan": (
        "-var -var-file -target -replace -out -state -lock-timeout -parallelism "
        "-generate-config-out"
    ),
    "terraform apply": (
        "-var -var-file -target -replace -state -state-out -backup -lock-timeout -parallelism"
    ),
    "terraform destroy": "-var -var-file -target -state -lock-timeout -parallelism",
    "terraform init": "-backend-config -from-module -plugin-dir -lock-timeout",
    "terraform import": "-var -var-file -state -config -lock-timeout",
    "java": "-cp -classpath --class-path -p --module-path -m --module --add-modules",
    "javac": (
        "-cp -classpath -d -s -h -sourcepath -encoding -source -target --release -processorpath"
    ),
    "gcc": "-o -I -L -l -x -include -MF -MT -MQ -D -U -isystem -idirafter -iquote",
    # cmake -DNAME=VALUE is one option with an attached value, not a cluster (-D -N -A ...).
    "cmake": (
        "-S -B -C -D -U -G -T -A -j --parallel --build --target -t --config --preset "
        "--toolchain --install-prefix --graphviz --log-level --test-dir"
    ),
    # ctest -C is the build configuration (Release, Debug), not a directory as make's is.
    "ctest": (
        "-C --build-config -j --parallel -R --tests-regex -E --exclude-regex -L --label-regex "
        "-LE --label-exclude -I --tests-information --test-dir --timeout --repeat "
        "--output-junit --output-log -O --resource-spec-file --stop-time -T --test-action "
        "-S -SP --script --preset"
    ),
    "meson": "-D --buildtype --prefix --backend -C",
    "flask": "-A --app -e --env-file -h --host -p --port --cert --key",
    "swift": "-c --configuration --product --target --filter --package-path --scratch-path",
    "ffmpeg": (
        "-i -f -c -codec -vf -af -filter_complex -map -ss -t -to -r -s -b -vcodec -acodec "
        "-preset -crf"
    ),
    "gh": "-R --repo",
    "glab api": ("-X --method -f --raw-field -F --field -H --header --input --hostname"),
    "gh api": (
        "-X --method -f --raw-field -F --field -H --header --input -q --jq -t --template "
        "--hostname -p --preview --cache"
    ),
    # Catalogued CLIs' global options that take a value (each tool's command reference), so
    # that the value is not read as a verb of the subcommand path (shell.verbs).
    "docker compose": (
        "-f --file -p --project-name --project-directory --env-file --profile --ansi "
        "--progress --parallel"
    ),
    "auth0": "--tenant",
    "kafka-topics": (
        "--bootstrap-server --topic --group --command-config --zookeeper --entity-type "
        "--entity-name --partitions --replication-factor --config --property --timeout"
    ),
    "aws": (
        "--region --profile --output --query --endpoint-url --color --ca-bundle "
        "--cli-read-timeout --cli-connect-timeout --cli-binary-format"
    ),
    "gcloud": (
        "--project --format --filter --zone --region --account --configuration "
        "--impersonate-service-account --verbosity --limit --sort-by --page-size "
        "--billing-project --location"
    ),
    "az": "-g --resource-group -o --output --query --subscription --resource --ids --scope",
    "restic": "-r --repo --repository-file --password-file --cache-dir --mode --host --tag --path",
    "systemctl": "-H --host -M --machine -t --type -p --property --state --root",
    "apt": "-o --option -c --config-file -t --target-release",
    "apt-get": "-o --option -c --config-file -t --target-release",
    "brew": "",
    "yarn": "--cwd",
    "pnpm": "-C --dir --filter -F",
    "podman": "--root --runroot --url --connection -c",
    "xargs": (
        "-a --arg-file -d --delimiter -E --eof -I --replace -L --max-lines -n --max-args "
        "-P --max-procs -s --max-chars --process-slot-var -R -S -J -i? -e? -l?"
    ),
    "find": "",
    "grep": "-e --regexp -f --file -m --max-count -A -B -C --include --exclude --exclude-dir",
    "rg": (
        "-e --regexp -f --file -g --glob --iglob -t --type -T --type-not -m --max-count -A "
        "--after-context -B --before-context -C --context -M --max-columns -j --threads "
        "--max-depth --max-filesize --pre --pre-glob --sort --sortr --color --colors -E "
        "--encoding --ignore-file --type-add -r --replace"
    ),
    "ssh": "-p -i -l -o -F -J -L -R -D -b -c -E -e -m -O -Q -S -W -w -B",
    "scp": "-P -i -o -F -J -l -c -S",
    "git clone": "-b --branch -o --origin --depth --reference -c --config --template",
    "chroot": "--userspec --groups",
    "nc": "-p -s -w -i -x -X -e -c -q",
    "python": "-c -m -W -X",
    "perl": "-e -E -I -M -m -x? -i? -l? -0?",
    "ruby": "-e -I -r -C",
    "node": "-e --eval -p --print -r --require --import --loader",
    "php": "-r -d -c -f -z",
    "lua": "-e -l",
    "bun": "-e --eval -p --print --cwd",
    "deno": "--config -c --import-map",
    "ncat": "-p -s -w -i -x -e -c --exec --sh-exec --lua-exec -m --max-conns",
}

# Programs whose subcommands and long options are read case-insensitively (`git RESET
# --HARD`): a case-insensitive file system finds git's dashed programs whatever the case,
# and a rule must not be dodged by capitals.
_FOLDS_CASE = frozenset({"git"})

# Programs whose first operand after their global options is a subcommand.
SUBCOMMAND_PROGRAMS = frozenset(
    [
        "git",
        "npm",
        "yarn",
        "pnpm",
        "cargo",
        "go",
        "pip",
        "pip3",
        "uv",
        "docker",
        "podman",
        "kubectl",
        "systemctl",
        "apt",
        "apt-get",
        "brew",
        "gh",
        "helm",
        "terraform",
        "tofu",
        "terragrunt",
        "openssl",
        # macOS security(1): `security COMMAND [options]`; the command is no file
        "security",
        "vault",
        "consul",
        "nomad",
        "packer",
        "bun",
        "deno",
        "dnf",
        "yum",
        "snap",
        # Everyday and infrastructure CLIs the bundled policy judges by subcommand.
        "glab",
        "rustup",
        "poetry",
        "pdm",
        "hatch",
        "coverage",
        "alembic",
        "pre-commit",
        "conda",
        "mamba",
        "pipx",
        "pipenv",
        "gem",
        "bundle",
        "composer",
        "dotnet",
        "meson",
        "tofu",
        "aws",
        "gcloud",
        "az",
        "minikube",
        "kind",
        "nerdctl",
        "buildah",
        "kustomize",
        "ansible-galaxy",
        "oc",
        # Build systems, toolchains and dev servers judged by their verb (swift build, mix
        # test, next dev, rails server, ...).
        "bazel",
        "bazelisk",
        "swift",
        "dart",
        "flutter",
        "cabal",
        "stack",
        "sbt",
        "zig",
        "rebar3",
        "lein",
        "elm",
        "next",
        "nuxt",
        "nuxi",
        "astro",
        "remix",
        "svelte-kit",
        "gatsby",
        "ng",
        "fastapi",
        "flask",
        "rails",
        "jekyll",
        "nix",
        "vcpkg",
        "maturin",
        "mise",
        # package and toolchain managers of the install family judged by their verb (flox
        # install x, pyenv global 3.12)
        "flox",
        "micromamba",
        "scoop",
        "opam",
        "luarocks",
        "pyenv",
        "rbenv",
        "asdf",
        "volta",
        "corepack",
        "sdk",
    ]
)

# "docker system prune": programs whose subcommand itself has a subcommand.
_TWO_LEVEL = frozenset(
    {
        "docker system",
        "docker image",
        "docker container",
        "docker volume",
        "docker network",
        "uv pip",
        "swift package",
        "nix flake",
        "gh repo",
        "gh pr",
        "npm cache",
        # Read verbs live one level down in these (gh issue view, docker compose ps, ...).
        "gh issue",
        "gh run",
        "gh release",
        "gh workflow",
        "gh auth",
        "gh search",
        "gh gist",
        "gh secret",
        "gh variable",
        "gh label",
        "gh cache",
        "glab mr",
        "glab issue",
        "glab ci",
        "glab pipeline",
        "glab repo",
        "glab release",
        "glab auth",
        "docker compose",
        "docker stack",
        "docker buildx",
        "docker context",
        "docker builder",
        "kubectl config",
        "kubectl rollout",
        "kubectl auth",
        "helm repo",
        "helm dependency",
        "helm plugin",
        "terraform state",
        "terraform workspace",
        "tofu state",
        "tofu workspace",
        "rustup target",
        "rustup toolchain",
        "rustup component",
        "poetry env",
        "conda env",
    }
)

# Subcommand spellings that mean the same thing.
_SUB_ALIASES: dict[str, dict[str, str]] = {
    "npm": {
        "i": "install",
        "add": "install",
        "in": "install",
        "isntall": "install",
        "r": "uninstall",
        "rm": "uninstall",
        "un": "uninstall",
        "remove": "uninstall",
        "x": "exec",
        "ci": "ci",
    },
    "pnpm": {"i": "install", "rm": "remove", "un": "remove", "uninstall": "remove"},
    "docker": {"container": "container"},
}

# Programs (or subcommands) whose options end at the first operand: what follows belongs to
# something else (the container's command, the remote command).
_STOP_AT_OPERAND = frozenset(
    {
        "docker run",
        "docker exec",
        "docker create",
        "podman run",
        "podman exec",
        "ssh",
        "kubectl exec",
        "kubectl run",
    }
)

# Options whose value is also offered as a flag "name=value" (docker run --network=host).
_NAMED_VALUES = {
    key: frozenset({"pid", "network", "net", "ipc", "uts", "userns", "cap-add", "security-opt"})
    for key in ("docker run", "docker create")
}

# Programs that share another's table.
_TABLE_ALIAS = {
    "tofu": "terraform",
    "kafka-consumer-groups": "kafka-topics",
    "kafka-configs": "kafka-topics",
    "kafka-acls": "kafka-topics",
    "kafka-broker-api-versions": "kafka-topics",
    "docker-compose": "docker compose",
    "podman-compose": "docker compose",
    "g++": "gcc",
    "cc": "gcc",
    "c++": "gcc",
    "clang": "gcc",
    "clang++": "gcc",
    "pip3": "pip",
    "podman": "docker",
    "rgrep": "grep",
    "egrep": "grep",
    "fgrep": "grep",
    "netcat": "nc",
    "gtar": "tar",
    "bsdtar": "tar",
}


def _build() -> tuple[dict[str, dict[str, frozenset[str]]], dict[str, dict[str, str]]]:
    spellings: dict[str, dict[str, frozenset[str]]] = {}
    for key, names in _NAMES.items():
        table: dict[str, set[str]] = {}
        for name, spelled in names.items():
            for s in spelled.split():
                table.setdefault(s, set()).add(name)
        spellings[key] = {s: frozenset(v) for s, v in table.items()}
    valued: dict[str, dict[str, str]] = {}
    for key, spelled in _VALUED.items():
        # value: "" = takes a value, "?" = optional attached value
        valued[key] = {s.rstrip("?"): ("?" if s.endswith("?") else "") for s in spelled.split()}
    return spellings, valued


_SPELLINGS, _VALUED_TABLE = _build()


# Options whose value is never a file name (a namespace, a test pattern, a variable).
_VALUE_NOT_PATH: dict[str, frozenset[str]] = {
    # git log's and grep's patterns, authors, formats and dates; messages
    "git": frozenset(
        [
            "--grep",
            "--author",
            "--committer",
            "--format",
            "--pretty",
            "--since",
            "--until",
            "--after",
            "--before",
            "--max-count",
            "--skip",
            "--date",
            "-G",
            "-S",
            "--grep-reflog",
            "-m",
            "--message",
            "-e",
            # diff's selections and formats (`git diff --diff-filter=d`: a filter, not a file)
            "--diff-filter",
            "--diff-algorithm",
            "--abbrev",
            "--unified",
            "--stat",
            "--word-diff",
            "--color",
        ]
    ),
    "kubectl": frozenset(
        [
            "-n",
            "--namespace",
            "--context",
            "--cluster",
            "--user",
            "--token",
            "--as",
            "--as-group",
            "-l",
            "--selector",
            "-o",
            "--output",
            "-s",
            "--server",
            "--field-selector",
            "-c",
            "--container",
        ]
    ),
    "helm": frozenset(
        ["-n", "--namespace", "--kube-context", "--version", "--set", "--set-string"]
    ),
    "go": frozenset(
        [
            "-run",
            "-skip",
            "-bench",
            "-benchtime",
            "-count",
            "-cpu",
            "-parallel",
            "-timeout",
            "-tags",
            "-ldflags",
            "-gcflags",
            "-asmflags",
            "-mod",
            "-p",
            "-covermode",
            "-coverpkg",
            "-fuzz",
            "-fuzztime",
            "-shuffle",
            "-list",
        ]
    ),
    "terraform": frozenset(["-var", "-target", "-replace", "-lock-timeout", "-parallelism"]),
    "gcc": frozenset(["-x", "-D", "-U", "-l"]),
    "cmake": frozenset(
        [
            "-D",
            "-U",
            "-G",
            "-T",
            "-A",
            "-j",
            "--parallel",
            "--target",
            "-t",
            "--config",
            "--preset",
            "--log-level",
        ]
    ),
    "ctest": frozenset(
        [
            "-C",
            "--build-config",
            "-j",
            "--parallel",
            "-R",
            "--tests-regex",
            "-E",
            "--exclude-regex",
            "-L",
            "--label-regex",
            "-LE",
            "--label-exclude",
            "-I",
            "--tests-information",
            "--timeout",
            "--repeat",
            "--stop-time",
            "-T",
            "--test-action",
            "--preset",
        ]
    ),
    "meson": frozenset(["-D", "--buildtype", "--backend"]),
    "flask": frozenset(["-A", "--app", "-h", "--host", "-p", "--port"]),
    "swift": frozenset(["-c", "--configuration", "--product", "--target", "--filter"]),
    "gh": frozenset(["-R", "--repo"]),
    # Azure resource ids (/subscriptions/...) and scopes are not files
    "az": frozenset(["--resource", "--ids", "--scope", "-g", "--resource-group", "--query"]),
    "grep": frozenset(["-e", "--regexp", "-m", "--max-count", "-A", "-B", "-C"]),
    "rg": frozenset(
        [
            "-e",
            "--regexp",
            "-g",
            "--glob",
            "--iglob",
            "-t",
            "--type",
            "-T",
            "--type-not",
            "-m",
            "--max-count",
            "-A",
            "--after-context",
            "-B",
            "--before-context",
            "-C",
            "--context",
            "-M",
            "--max-columns",
            "-j",
            "--threads",
            "--max-depth",
            "--max-filesize",
            "--pre-glob",
            "--sort",
            "--sortr",
            "--color",
            "--colors",
            "-E",
            "--encoding",
            "--type-add",
            "-r",
            "--replace",
        ]
    ),
}


def value_is_path(program: str, name: str) -> bool:
    """Whether the value of option ``name`` of ``program`` may be a file name."""
    base = _TABLE_ALIAS.get(program, program)
    return name not in _VALUE_NOT_PATH.get(base, frozenset())


def known_programs() -> frozenset[str]:
    """Programs (and "program subcommand" keys) the flag tables describe."""
    return frozenset(_NAMES) | frozenset(_VALUED) | SUBCOMMAND_PROGRAMS


def table_key(program: str, subcommand: str | None) -> tuple[str, ...]:
    """Keys to look a flag up under, most specific first."""
    base = _TABLE_ALIAS.get(program, program)
    base = interpreter(base) or base  # python3.12 -> python
    return (f"{base} {subcommand}", base) if subcommand else (base,)


def _long_match(spelling: str, keys: tuple[str, ...]) -> frozenset[str] | None:
    for key in keys:
        table = _SPELLINGS.get(key, {})
        if spelling in table:
            return table[spelling]
        # GNU getopt accepts any unambiguous prefix of a long option (--rec = --recursive).
        hits = {n for s, names in table.items() if s.startswith(spelling) for n in names}
        prefixed = [s for s in table if s.startswith(spelling) and s.startswith("--")]
        # An ambiguous prefix (`git push --forc`) names all its candidates: the program
        # either refuses it or takes one of them, so a rule about any of them applies.
        if prefixed and len(spelling) > 3 and hits:
            return frozenset(hits)
    return None


def _valued(spelling: str, keys: tuple[str, ...]) -> str | None:
    """'' if the option takes a value, '?' if only an attached one, None if no value."""
    for key in keys:
        table = _VALUED_TABLE.get(key)
        if table is not None and spelling in table:
            return table[spelling]
    return None


def _short_names(letter: str, keys: tuple[str, ...]) -> frozenset[str]:
    for key in keys:
        table = _SPELLINGS.get(key, {})
        if letter in table:
            return table[letter]
    return frozenset({letter})


# Programs built on Go's flag package: ``-name`` and ``--name`` are the same option, never
# a cluster of letters (``terraform destroy -auto-approve``, ``go test -run X``).
GO_STYLE = frozenset(
    {
        "terraform",
        "tofu",
        "terragrunt",
        "go",
        "gofmt",
        "vault",
        "consul",
        "nomad",
        "packer",
        "etcd",
        "boundary",
        "waypoint",
    }
)
# Programs whose options are words after a single dash (``openssl enc -in f``, ``pwsh
# -Command``, ``find -name``, ``java -jar``, ``gcc -Wall``, ``ffmpeg -i``): no clusters;
# case-insensitive for PowerShell.
SINGLE_DASH_LONG = GO_STYLE | frozenset(
    {
        "openssl",
        "pwsh",
        "powershell",
        "find",
        "java",
        "javac",
        "ffmpeg",
        "ffprobe",
        "gcc",
        "g++",
        "cc",
        "c++",
        "clang",
        "clang++",
        "xcodebuild",
        "qemu-img",
    }
)
_SINGLE_DASH_LONG = SINGLE_DASH_LONG


def canonical_flag(program: str, subcommand: str | None, spelling: str) -> set[str]:
    """Canonical names for one flag spelling as a rule or a command line writes it.

    ``-rf`` is a cluster (``{"recursive", "force"}`` for rm); ``--name=value`` loses its value;
    a bare word (``recursive``) is taken as already canonical. Unknown flags of any program
    are ``-x`` / ``--name``.
    """
    keys = table_key(program, subcommand)
    if not spelling.startswith("-") or spelling == "-":
        return {spelling}
    if program in _SINGLE_DASH_LONG:
        name = spelling.split("=", 1)[0].split(":", 1)[0]
        if program in GO_STYLE and name.startswith("--"):
            name = name[1:]  # Go's flag package: --name is -name
        return {name.lower() if program in ("pwsh", "powershell") else name}
    if spelling.startswith("--"):
        name = spelling.split("=", 1)[0]
        hit = _long_match(name, keys)
        return set(hit) if hit is not None else {name}
    names: set[str] = set()
    for i, letter in enumerate(spelling[1:], start=1):
        names |= _short_names("-" + letter, keys)
        if _valued("-" + letter, keys) is not None and i < len(spelling) - 1:
            break  # the rest of the cluster is this option's value
    return names


class ParsedArgs:
    """Result of :func:`parse_args`."""

    __slots__ = ("flags", "option_values", "positionals", "subcommand")

    def __init__(self) -> None:
        self.subcommand: str | None = None
        self.flags: set[str] = set()
        self.positionals: list[str] = []
        # (option spelling, value) for options that took a value
        self.option_values: list[tuple[str, str]] = []


def _subcommand(program: str, args: list[str], out: ParsedArgs) -> int:
    """Skip ``program``'s global options; set the subcommand; return the next index."""
    keys = table_key(program, None)
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("+") and program in ("cargo", "rustc", "rustdoc") and i == 0:
            i += 1  # cargo +nightly test: a toolchain override, not the subcommand
            continue
        if word == "--" or not word.startswith("-") or word == "-":
            break
        name = word.split("=", 1)[0]
        out.flags |= canonical_flag(program, None, word)
        if "=" in word and _valued(name, keys) == "":
            out.option_values.append((name, word.split("=", 1)[1]))
        if "=" not in word and _valued(name, keys) == "" and (len(word) == 2 or name == word):
            if i + 1 < len(args):
                out.option_values.append((name, args[i + 1]))
            i += 2
            continue
        i += 1
    if program in _FOLDS_CASE and i + 1 < len(args) and args[i] == "--":
        i += 1  # `git -- reset --hard` runs reset
    if i < len(args) and args[i] != "--":
        sub = args[i]
        if program in _FOLDS_CASE:
            sub = sub.lower()
        base = _TABLE_ALIAS.get(program, program)
        sub = _SUB_ALIASES.get(base, {}).get(sub, sub)
        i += 1
        if f"{base} {sub}" in _TWO_LEVEL:
            # `uv pip --directory api list`, `docker compose -f x.yml ps`: the program's or
            # the group's own valued options may come between the two levels.
            mid = (f"{base} {sub}", *keys)
            j = i
            taken: list[tuple[str, str]] = []
            while j < len(args) and args[j].startswith("-") and args[j] != "--":
                name, eq, value = args[j].partition("=")
                if _valued(name, mid) != "" or (not eq and j + 1 >= len(args)):
                    break
                taken.append((name, value if eq else args[j + 1]))
                j += 1 if eq else 2
            if j > i and j < len(args) and not args[j].startswith("-"):
                for name, value in taken:
                    out.flags |= canonical_flag(program, None, name)
                    out.option_values.append((name, value))
                i = j
        if f"{base} {sub}" in _TWO_LEVEL and i < len(args) and not args[i].startswith("-"):
            sub = f"{sub} {args[i]}"
            i += 1
        out.subcommand = sub
    return i


def _git_alias(out: ParsedArgs) -> list[str] | None:
    """The words a ``-c alias.NAME=...`` given on the command line puts in place of the
    subcommand NAME (``None`` for none; ``!`` aliases run a shell and are read as code)."""
    if out.subcommand is None:
        return None
    for name, value in out.option_values:
        key, eq, expansion = value.partition("=")
        if name == "-c" and eq and key.lower() == f"alias.{out.subcommand}":
            words = expansion.split()
            return words if words and not expansion.startswith("!") else None
    return None


def parse_args(program: str, args: list[str]) -> ParsedArgs:
    """Split ``args`` (the words after ``program``) into subcommand, flags and operands."""
    out = ParsedArgs()
    start = _subcommand(program, args, out) if program in SUBCOMMAND_PROGRAMS else 0
    alias = _git_alias(out) if program == "git" else None
    if alias is not None:
        # `git -c alias.nuke=reset nuke --hard` is `git reset --hard`.
        args = [*alias, *args[start:]]
        out.subcommand = None
        start = _subcommand(program, args, out)
    keys = table_key(program, out.subcommand)
    stop_at_operand = keys[0] in _STOP_AT_OPERAND
    if program in ("tar", "gtar", "bsdtar") and args and args[0][:1].isalpha():
        args = ["-" + args[0], *args[1:]]  # old-style "tar xzf file"
    i = start
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--":
            out.positionals.extend(args[i:])
            break
        if not word.startswith("-") or word == "-" or program == "find":
            out.positionals.append(word)
            if stop_at_operand:
                out.positionals.extend(args[i:])
                break
            continue
        if word.startswith("--") and program not in GO_STYLE:
            name, eq, value = word.partition("=")
            if program in _FOLDS_CASE:
                name = name.lower()
                if name.startswith("--no-") and len(name) > 5 and not eq:
                    # git's options are negatable and the last spelling wins: `git rm
                    # --force --no-force` does not force, `--no-force --force` does.
                    out.flags -= canonical_flag(program, out.subcommand, "--" + name[5:])
            out.flags |= canonical_flag(program, out.subcommand, name)
            if eq:
                out.option_values.append((name, value))
            elif _valued(name, keys) == "" and i < len(args):
                out.option_values.append((name, args[i]))
                i += 1
            continue
        if program in _SINGLE_DASH_LONG:
            out.flags |= canonical_flag(program, out.subcommand, word)
            if (
                word[:2] in ("-D", "-U")
                and len(word) > 2
                and _TABLE_ALIAS.get(program, program) == "gcc"
            ):
                # a compiler's -DNAME=VALUE / -UNAME: the macro is -D's value, never a file
                out.option_values.append((word[:2], word[2:]))
                continue
            name, eq, value = word.partition("=")
            if program in GO_STYLE and name.startswith("--"):
                name = name[1:]
            if eq:
                out.option_values.append((name, value))
            elif _valued(name, keys) == "" and i < len(args):
                out.option_values.append((name, args[i]))
                i += 1
            continue
        for pos in range(1, len(word)):
            letter = "-" + word[pos]
            out.flags |= _short_names(letter, keys)
            kind = _valued(letter, keys)
            if kind is None:
                continue
            if pos + 1 < len(word):
                if kind == "":  # an optional attached value ("sed -i.bak") is a suffix
                    out.option_values.append((letter, word[pos + 1 :]))
            elif kind == "" and i < len(args):
                out.option_values.append((letter, args[i]))
                i += 1
            break
    if keys[0] in _NAMED_VALUES:
        # "docker run --pid=host": the value is what matters; offer "pid=host".
        for name, value in out.option_values:
            if name.lstrip("-") in _NAMED_VALUES[keys[0]]:
                out.flags.add(f"{name.lstrip('-')}={value}")
    # "git checkout main a.txt": a tree-ish and paths overwrite those files in the worktree.
    if (program, out.subcommand) == ("git", "checkout") and len(out.positionals) >= 2:
        out.flags.add("paths")
    # "git push origin +main" is a force push spelled as a refspec.
    if (program, out.subcommand) == ("git", "push") and any(
        p.startswith("+") for p in out.positionals
    ):
        out.flags.add("force")
    if program in HTTP_CLIENTS:
        out.flags.add("method:" + _http_method(program, out))
    elif program in ("gh", "glab") and out.subcommand == "api":
        out.flags.add("method:" + _gh_api_method(out))
    # "--dry-run=false" (helm, kubectl, ...) is a real run: it is no dry run.
    if any(n == "--dry-run" and v.lower() in _FALSE for n, v in out.option_values):
        out.flags.discard("--dry-run")
    return out


_FALSE = frozenset({"false", "none", "0", "no"})


# HTTP clients whose request method is offered as the flag "method:<lower-case name>".
HTTP_CLIENTS = frozenset({"curl", "curlie", "wget", "wget2", "http", "https", "xh", "xhs"})
_METHOD_WORD = frozenset(
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
)


_GH_FIELDS = frozenset({"-f", "--raw-field", "-F", "--field"})


def _gh_api_method(out: ParsedArgs) -> str:
    """The method of a ``gh api`` (or ``glab api``) request, as ``gh help api`` defines it:
    -X/--method, else POST when it sends fields or a body (--input), else GET; a typed
    field's ``@file`` value sends that file, so it is never a GET. For the ``graphql``
    endpoint: ``query`` when every query field is a query (no mutation, no file), else
    ``mutation``."""
    fields = [v for n, v in out.option_values if n in _GH_FIELDS]
    sends_file = any(v.partition("=")[2].startswith("@") for v in fields)
    if out.positionals[:1] == ["graphql"]:
        texts = [v.partition("=")[2] for v in fields if v.partition("=")[0] == "query"]
        reads = all(
            t.lstrip().startswith(("query", "{")) and "mutation" not in t.lower() for t in texts
        )
        plain = not sends_file and "--input" not in out.flags
        return "query" if texts and reads and plain else "mutation"
    if sends_file or "--input" in out.flags:
        return "post"
    explicit = [v for n, v in out.option_values if n in ("-X", "--method")]
    if explicit:
        return explicit[-1].strip("'\"").lower() or "get"
    return "post" if fields else "get"


def _http_method(program: str, out: ParsedArgs) -> str:
    """The method an HTTP client's request uses, as its documentation defines it: an
    explicit one (curl -X/--request, wget --method, httpie's METHOD operand), else POST when
    it sends data or a form, PUT for curl's upload, HEAD for curl -I, else GET."""
    if program in ("curl", "curlie"):
        explicit = [v for n, v in out.option_values if n in ("-X", "--request")]
        if explicit:
            return explicit[-1].strip("'\"").lower() or "get"
        if "upload" in out.flags:
            return "put"
        if {"data", "form"} & out.flags and not {"-G", "--get"} & out.flags:
            return "post"
        return "head" if {"-I", "--head"} & out.flags else "get"
    if program in ("wget", "wget2"):
        explicit = [v for n, v in out.option_values if n == "--method"]
        if explicit:
            return explicit[-1].lower() or "get"
        return "post" if "data" in out.flags else "get"
    # httpie / xh: `http [METHOD] URL [ITEMS]`; data items (a=b, a:=b, @file) mean POST.
    words = out.positionals
    if words and words[0].upper() in _METHOD_WORD and words[0].isalpha():
        return words[0].lower()
    if any("=" in w or w.startswith("@") for w in words[1:]):
        return "post"
    return "get"
