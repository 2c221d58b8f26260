"""What the peer corpus (issue 26) showed missing, as general capabilities of the bundled
policy: each spelling and its siblings, and what must stay allowed."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

DENY, ASK, ALLOW, DEFER = "deny", "ask", "allow", "defer"

SHELL: list[tuple[str, str]] = [
    # git: subcommands and long options in any case, abbreviations, `--`, .exe, aliases
    ("git RESET --HARD", ASK),
    ("git Reset --Hard HEAD~1", ASK),
    ("git -- reset --hard", ASK),
    ("git reset --mer HEAD~1", ASK),
    ("git push --forc origin main", ASK),
    ('"C:/Program Files/Git/bin/git.exe" reset --hard', ASK),
    ("GIT.EXE reset --hard", ASK),
    ("git -c alias.nuke=reset nuke --hard", ASK),
    # an alias on the command line is judged by what it stands for (shell/gitconfig.py)
    ("git -c alias.st=status st", ALLOW),
    ("git -c alias.x='!rm -rf ~/' x", DENY),
    (
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.nuke GIT_CONFIG_VALUE_0=reset git nuke --hard",
        ASK,
    ),
    ("GIT_CONFIG_PARAMETERS=\"'alias.nuke=reset'\" git nuke --hard", ASK),
    # git rm -f discards uncommitted changes; the last of --force/--no-force wins
    ("git rm -f file.txt", ASK),
    ("git rm -fr .", ASK),
    ("git rm -qf file.txt", ASK),
    ("git rm --no-force --force file.txt", ASK),
    ("git rm --cached --no-cached --force file.txt", ASK),
    ("git rm --force --no-force file.txt", ALLOW),
    ("git rm -f --cached file.txt", ALLOW),
    ("git rm file.txt", ALLOW),
    ("git tag --del v1", ASK),
    ("git tag -l", ALLOW),
    # checkout of a tree-ish with paths; restore's options that take a value
    ("git checkout HEAD file.txt", ASK),
    ("git checkout main a.txt b.txt", ASK),
    ("git checkout HEAD --pathspec-from-file=paths.txt", ASK),
    ("git checkout -b feature main", ALLOW),
    ("git restore -s --staged file.txt", ASK),
    ("git restore --conflict --staged file.txt", ASK),
    ("git restore --staged file.txt", ALLOW),
    ("git merge --abort", ASK),
    ("git rebase --abor", ASK),
    ("git merge main", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), SHELL, ids=[c for c, _ in SHELL])
def test_shell_commands(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Secrets by shape, wherever they are; public halves are not secrets.
SECRETS: list[tuple[str, str]] = [
    ("cat id_rsa.bak", DENY),
    ("cat deploy/id_dsa_old", DENY),
    ("cat keys/github_ed25519", DENY),
    ("cat staging_ecdsa", DENY),
    ("cat CERT.P12", DENY),
    ("cat server.KEY", DENY),
    ("cat java.keystore", DENY),
    ("cat vendor/cache/id_rsa", DENY),
    ("cat server-cert-key.pem", DENY),
    ("rg -f ~/.ssh/id_rsa src", DENY),
    ("cat wallet.keychain", ASK),
    ("cat vault.kdbx", ASK),
    ("cat prod.ovpn", ASK),
    ("cat .npmrc", ASK),
    ("cat nested/repo/.claude/settings.local.json", ASK),
    ("cat .mcp.json", ASK),
    ("cat /etc/opencode/opencode.json", ASK),
    ("cat credentials.backup", ASK),
    ("cat .ENV", ASK),
    ("cat .Env.Local", ASK),
    ("grep -e TOKEN .env", ASK),
    ("grep .env -e foo", ASK),
    ("grep --file patterns .env", ASK),
    ("cat deploy/id_rsa.pub", ALLOW),
    ("cat deploy/id_rsa.bak.pub", ALLOW),
    ("cat certs/fullchain.pem", ALLOW),
    ("cat node_modules/pkg/test/server.pem", ALLOW),
    ("cat .env.example.production", ALLOW),
    ("cat .ENV.SAMPLE", ALLOW),
    ("cat src/test_rsa.py", ALLOW),
    ("cat .claude/settings.json", ALLOW),
    ("grep -e TOKEN src/app.py", ALLOW),
    # `rg --files DIR` has no pattern: DIR is a path, listed as `ls DIR` is
    ("rg --files ~/.ssh", ASK),
    ("rg -i --files ~/.aws", ASK),
    ("rg -i password ~/.aws", DENY),
    ("rg --files src", ALLOW),
    # a variable's default names the file read unless the environment says otherwise
    ('cat "${X:=.env}"', ASK),
    ('cat ${X:=.e"nv"}', ASK),
    ("head -3 ${F-config/.env.local}", ASK),
    ('cat "${X:=README.md}"', DEFER),
    # captured traffic carries cookies and Authorization headers
    ("tshark -r capture.pcap", ASK),
    ("cat session.HAR", ASK),
    ("openssl x509 -noout -subject -in cert.pem", ALLOW),
    ("openssl rsa -in server.key -text", DENY),
    # a `...` in an unquoted heredoc runs; in a quoted one it is text
    ("cat <<EOF\n`cat .env`\nEOF", ASK),
    ("cat <<EOF\nx `rm -rf ~` y\nEOF", DENY),
    ("cat <<'EOF'\n`rm -rf ~`\nEOF", ALLOW),
    ("cat <<EOF\nprice \\`x\\`\nEOF", ALLOW),
    # `time`, `command` and `builtin` run cd in this shell
    ("time cd .. && rm -rf build", DENY),
    ("command cd .. && rm -rf build", DENY),
    ("builtin cd /etc && rm -rf nginx", DENY),
]


@pytest.mark.parametrize(("command", "expected"), SECRETS, ids=[c for c, _ in SECRETS])
def test_secrets_by_shape(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Verbs: destructive in any CLI asks; read verbs of catalogued CLIs are allowed.
VERBS: list[tuple[str, str]] = [
    ("stripe prices delete price_123", ASK),
    ("auth0 domains delete d_1", ASK),
    ("circleci context delete org/x context/prod", ASK),
    ("vault secrets disable kv/", ASK),
    ("vault --namespace admin secrets disable kv/", ASK),
    ("rclone sync src remote:b --delete-excluded", ASK),
    ("rsync --delete src/ dest/", ASK),
    ("borg prune --keep-last 1", ASK),
    ("mc rb myminio/bucket", ASK),
    ("kafka-delete-records --offset-json-file d.json", ASK),
    ("rabbitmqctl delete_user deployer", ASK),
    ("java -jar jenkins-cli.jar -s http://jenkins.local/ delete-job deploy", ASK),
    ("rsync --delete --dry-run src/ dest/", ALLOW),  # a dry run in the project
    ("brew uninstall --help", ALLOW),  # help only
    ("man rm", ALLOW),  # a manual page
    ("spctl --disable-status", DEFER),
    ("git reset HEAD file.txt", ALLOW),  # only unstages
    ("mytool deploy --name delete.me", DEFER),
    ("auth0 apps list", ALLOW),
    ("stripe prices list --limit 3", ALLOW),
    ("vault status", ALLOW),
    ("systemctl status nginx", ALLOW),
    ("journalctl -u nginx --since today", ALLOW),
    ("kubectl api-resources", ALLOW),
    ("aws iam get-policy-version --policy-arn arn --version-id v1", ALLOW),
    ("mytool list", DEFER),  # not catalogued: an unknown verb family decides nothing
    ("vault kv get secret/app", DENY),  # reveals a secret: deny-secret-export (known:)
    ("doppler secrets get API_KEY", DENY),
    ("gcloud container clusters get-credentials c1", DEFER),  # writes kubeconfig
    ("auth0 domains verify d_1", DEFER),
    ("ip addr change 10.0.0.2/24 dev eth0", ASK),  # network configuration: ask-network-config
    ("journalctl --vacuum-size=1M", ASK),
]


@pytest.mark.parametrize(("command", "expected"), VERBS, ids=[c for c, _ in VERBS])
def test_verbs(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# A file an interpreter's script is handed by absolute or home path is the command's path.
SCRIPT_ARGS: list[tuple[str, str]] = [
    ("node tool.js ~/.ssh/id_rsa", DENY),
    ("bun run src/cli/x.ts explain ~/.ssh/id_rsa", DENY),
    ("python3 tool.py ~/.aws/credentials", DENY),
    ("python3 tool.py data/input.csv", ALLOW),
    ("gawk 'BEGIN { while ((getline line < \".env\") > 0) print line }'", ASK),
]


@pytest.mark.parametrize(("command", "expected"), SCRIPT_ARGS, ids=[c for c, _ in SCRIPT_ARGS])
def test_script_arguments(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# HTTP clients: the method decides read vs mutation; loopback GET/HEAD is allowed.
HTTP: list[tuple[str, str]] = [
    ("curl -X DELETE https://api.sendgrid.com/v3/templates/d-1", ASK),
    ("curl https://api.example.com/t/1 -X DELETE", ASK),
    ("curl --request=PATCH https://api.example.com/t/1", ASK),
    ("curl -XPOST https://jenkins.example/job/x/doDelete", ASK),
    ("http DELETE https://api.example.com/x", ASK),
    ("wget --method=DELETE https://api.example.com/x", ASK),
    ("curl -X GET https://api.stripe.com/v1/customers", ALLOW),
    ("curl --request HEAD https://example.com", ALLOW),
    ("curl -G -d q=1 https://api.example.com/search", ASK),  # data leaves in the query
    ("curl -I http://localhost:3000/health", ALLOW),
    ("curl http://localhost:7700/stats", ALLOW),
    ("curl -X GET http://127.0.0.1:9090/api/v1/query?query=up", ALLOW),
    ("http :9200/_cat/indices", ALLOW),
    ("curl -X POST http://localhost:8000/api", ASK),
    ("curl http://169.254.169.254/latest/meta-data/", ASK),
    ("curl http://192.168.1.1/", ASK),
    ("curl http://2130706433/", ASK),
    ("curl http://127.0.0.1.nip.io/", ASK),
    ("curl --unix-socket /var/run/docker.sock http://localhost/containers/json", ASK),
    ("wget -r https://example.com", DEFER),
]


@pytest.mark.parametrize(("command", "expected"), HTTP, ids=[c for c, _ in HTTP])
def test_http_methods(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Outward-facing: shared branches and image pulls are not allowed outright.
OUTWARD: list[tuple[str, str]] = [
    ("git push origin main", ASK),
    ("git push origin HEAD:master", ASK),
    ("git push -u origin release/2.0", ASK),
    ("git push --tags", ASK),
    # a bare push outside any repository: its branch cannot be known (a repository's
    # checked-out branch decides: tests/policy/test_push_destination.py)
    ("git push", DEFER),
    ("git push -u origin feature/x", ALLOW),
    ("docker compose pull", DEFER),
    ("docker compose up -d", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), OUTWARD, ids=[c for c, _ in OUTWARD])
def test_outward(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Reporting modes of system tools; env running a command prints nothing.
REPORTING: list[tuple[str, str]] = [
    ("env ls", ALLOW),
    ("env -i ls", ALLOW),
    ("env --ignore-environment PATH=/bin ls", ALLOW),
    ("env", ASK),
    ("env FOO=bar", ASK),
    ("env PATH=/tmp/evil ls", ASK),
    ("dmesg -T", ALLOW),
    ("dmesg -c", DEFER),
    ("networksetup -getdnsservers Wi-Fi", ALLOW),
    ("networksetup -setdnsservers Wi-Fi 1.1.1.1", ASK),  # network configuration
    ("openssl x509 -noout -subject -in cert.pem", ALLOW),
    ("openssl x509 -in cert.pem -out cert.der", DEFER),
    ("fzf -m", ALLOW),
    ("fzf --bind 'enter:execute(rm {})'", DEFER),
    ("fzf --listen-unsafe", DEFER),
    ("ansible-inventory --list", ALLOW),
    ("zpool status", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), REPORTING, ids=[c for c, _ in REPORTING])
def test_reporting_modes(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Verbs run together with their object; sync/move; files find names for -exec; values from
# command substitutions are not fully seen.
MORE: list[tuple[str, str]] = [
    ("rclone deletefile remote:bucket/file.txt", ASK),
    ("tmutil deletelocalsnapshots /", ASK),
    ("rclone sync src: dest:", ASK),
    ("borg compact repo", ASK),
    ("find . -name .env -exec cat {} \\;", ASK),
    ("find . -name id_rsa -exec head -n 1 {} +", DENY),
    ("find . -name .env -exec echo {} \\;", ALLOW),
    ('key=$(printf %s fi8uc3NoL2lkX3JzYQ== | base64 -d); cat "$key"', ASK),
    ("cat `echo fi8uc3NoL2lkX3JzYQ== | base64 -d`", ASK),
    ("kubectl $(echo delete) pod foo", ASK),
    ("echo $(date)", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), MORE, ids=[c for c, _ in MORE])
def test_more_siblings(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


COPIES: list[tuple[str, str]] = [
    ("scp config.conf user@host:/etc/", ASK),
    ("rsync -a build/ deploy@web1:/srv/app/", ASK),
    ("rsync -a --list-only user@host:/dest/", DEFER),
    ("scp user@host:/etc/hosts .", DEFER),
]


@pytest.mark.parametrize(("command", "expected"), COPIES, ids=[c for c, _ in COPIES])
def test_copies_to_another_host(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


# Destruction a tool spells its own way (a short option, an odd verb, a task name), DNS
# changes, and code handed to a live application.
TOOL_MODES: list[tuple[str, str]] = [
    ("gsutil rsync -d gs://src gs://dst", ASK),
    ("gsutil -m rsync -r -d ./site gs://www", ASK),
    ("gsutil rsync -r ./site gs://www", DEFER),
    ("tmutil thinlocalsnapshots / 10000000000 1", ASK),
    ("tmutil deletelocalsnapshots 2024-01-01-000000", ASK),
    ("tmutil listlocalsnapshots /", ALLOW),
    ("splunk clean eventdata -index main", ASK),
    ("spctl --master-disable", ASK),
    ("spctl --global-disable", ASK),
    ("spctl --status", ALLOW),
    ("velero uninstall", ASK),
    ("istioctl uninstall --purge -y", ASK),
    ("gitlab-rake gitlab:backup:restore BACKUP=1", ASK),
    ("gitlab-backup restore", ASK),
    ("gitlab-rake gitlab:check", DEFER),
    ("gitlab-rails runner 'Project.destroy_all'", ASK),
    ("gitlab-rails console", ASK),
    ("bin/rails runner 'Order.where(test: true).delete_all'", ASK),
    ("echo 'update delete www.example.com A' | nsupdate -l", ASK),
    ("nsupdate changes.txt", ASK),
    (
        "aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://c.json",
        ASK,
    ),
    ("aws route53 list-resource-record-sets --hosted-zone-id Z1", ALLOW),
    ("gcloud dns record-sets update www --zone z --type A --rrdatas 1.2.3.4", ASK),
    ("gcloud dns record-sets list --zone z", ALLOW),
    ("az network dns record-set a remove-record -g rg -z example.com -n www -a 1.2.3.4", ASK),
    # a framework's task that wipes the application's database, before the build-task allows
    ("rake db:drop:all", ASK),
    ("bundle exec rake db:schema:load", ASK),
    ("bin/rails db:seed:replant", ASK),
    ("mix ecto.reset", ASK),
    ("php artisan migrate:fresh --seed", ASK),
    ("php artisan db:wipe --force", ASK),
    ("python manage.py flush --noinput", ASK),
    ("alembic downgrade base", ASK),
    ("rake db:test:prepare", ALLOW),
    ("mix test", ALLOW),
    # commands run on other machines or infrastructure applied, as ssh and terraform are
    ("ansible all -m shell -a 'rm -rf /var/www'", ASK),
    ("ansible all -b -m file -a 'path=/etc/app state=absent'", ASK),
    ("ansible all --check -m shell -a 'df -h'", ALLOW),
    ("pulumi up --yes", ASK),
    ("pulumi state delete urn:pulumi:dev::app::aws:s3/bucket:Bucket::b", ASK),
    ("podman system reset --force", ASK),
    # SQL of more clients is read: Cassandra, Hive, Impala
    ("cqlsh -e 'DROP KEYSPACE prod'", ASK),
    ("beeline -e 'TRUNCATE TABLE events'", ASK),
    ("impala-shell -q 'DROP TABLE t'", ASK),
]


@pytest.mark.parametrize(("command", "expected"), TOOL_MODES, ids=[c for c, _ in TOOL_MODES])
def test_tools_own_destroying_modes(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)
