"""The allow side of issue 26: read-only work the peer corpus showed interrupted or left to
the agent, as general capabilities of the bundled policy (misparses fixed, read-only forms
of otherwise asked programs), each beside a sibling that must stay asked or denied."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

DENY, ASK, ALLOW, DEFER = "deny", "ask", "allow", "defer"

# Option values are not hosts, paths or actions: curl's valued options, find's tests,
# yq's and git grep's expressions, git log's patterns.
VALUES: list[tuple[str, str]] = [
    ("curl --max-redirs 5 https://example.com", ALLOW),
    ("curl --retry-delay 5 https://example.com", ALLOW),
    ("curl --interface eth0 https://example.com", ALLOW),
    ("curl --socks5 localhost:1080 https://example.com", ALLOW),
    ("curl --connect-to example.com:443:other.com:443 https://example.com", ALLOW),
    ("curl --connect-to example.com:443:10.0.0.5:443 https://example.com", ASK),
    ("curl --resolve example.com:443:127.0.0.1,10.0.0.5 https://example.com", ASK),
    ("curl --max-redirs 5 http://192.168.1.10/", ASK),
    ("find . -name -delete -print", ALLOW),
    ("find . -samefile -delete -print", ALLOW),
    ("find . -newermt 2020-01-01 -print", ALLOW),
    ("find src -name x -delete", ASK),
    ("yq eval '.key' config.yaml", ALLOW),
    ("yq e '.services' compose.yml", ALLOW),
    ("yq eval '.a' ~/.ssh/id_rsa", DENY),
    ('git grep -n "process\\.env" -- .', ALLOW),
    ('git log --grep "fix\\.env"', ALLOW),
    ("git grep -e TOKEN .env", ASK),
]

# Read-only forms of programs whose other forms are asked: help, dry runs, listings.
READ_FORMS: list[tuple[str, str]] = [
    ("kubectl delete --help", ALLOW),
    ("helm install --help", ALLOW),
    ("aws s3 rm --help", ALLOW),
    ("helm install api ./chart --dry-run=server", ALLOW),
    ("helm upgrade api ./chart --dry-run", ALLOW),
    ("helm install api ./chart --dry-run=false", ASK),
    ("helm install api ./chart", ASK),
    ("aws s3 rm s3://b/x --dryrun", ALLOW),
    ("aws s3 rm s3://b/x", ASK),
    ("kubectl get secrets", ALLOW),
    ("kubectl get secret db -o name", ALLOW),
    ("kubectl describe secret db", ALLOW),
    ("kubectl get secret db -o yaml", DENY),
    ("kubectl get secrets,configmaps -o json", DENY),
    ("kubectl get secret db --template='{{.data.password}}'", DENY),
    ("kubectl edit secret db", ASK),
    ("npm dist-tag ls", ALLOW),
    ("npm owner ls lodash", ALLOW),
    ("npm access list packages", ALLOW),
    ("npm dist-tag add x@1 latest", ASK),
    ("npm owner add bob lodash", ASK),
    ("npm owner ls add", ASK),
    ("cargo owner --list", ALLOW),
    ("cargo owner --list --add bob", ASK),
    ("ip monitor route", ALLOW),
    ("ip route add default via 10.0.0.1", ASK),
    ("spctl --assess -t execute /usr/bin/ls", ALLOW),
    ("cp x /usr/bin/ls", ASK),
    ("BASH_ENV= ls", ALLOW),
    ("BASH_ENV=/tmp/x ls", ASK),
]

# awk and sed writing to the terminal or nowhere, and awk comparisons, are not redirections.
TEXT: list[tuple[str, str]] = [
    ("awk '{print > \"/dev/null\"}' file.txt", ALLOW),
    ("awk '{print > \"/dev/stdout\"}' file.txt", ALLOW),
    ('awk \'{print ($1 > 0 ? "pos" : "neg")}\' file.txt', ALLOW),
    ("awk '{print $1, ($2 > 0) > \"/etc/x\"}' file.txt", ASK),
    ("awk '{print > \"/etc/x\"}' file.txt", ASK),
    ("awk '{print > \"/dev/stdin\"}' file.txt", ASK),
    ("sed 's/foo/bar/w /dev/stdout' input.txt", ALLOW),
    ("sed 's/foo/bar/w /tmp/out' input.txt", ASK),
    ("sed 'w /dev/null' input.txt", ALLOW),
    ("sed '1e id' input.txt", ASK),
]

# System tools in their reporting modes (policy.known "report"), beside their changes.
SYSTEM: list[tuple[str, str]] = [
    ("defaults read com.apple.Finder ShowPathbar", ALLOW),
    ("defaults -host localhost read com.apple.Finder", ALLOW),
    ("defaults write com.apple.Finder AppleShowAllFiles -bool true", DEFER),
    ("codesign -dvv /Applications/Safari.app", ALLOW),
    ("codesign --verify --deep /Applications/Safari.app", ALLOW),
    ("codesign -s - --force app", DEFER),
    ("pkgutil --pkgs=com.apple.*", ALLOW),
    ("pkgutil --forget com.example.pkg", DEFER),
    ("scutil --get LocalHostName", ALLOW),
    ("scutil --set HostName evil", ASK),
    ("xattr -l file.txt", ALLOW),
    ("xattr -lx file.txt", ALLOW),
    ("xattr -d com.apple.quarantine file.txt", DEFER),
    ("xattr -l ~/Documents/x.txt", ASK),
    ("sips -g pixelWidth image.png", ALLOW),
    ("sips -z 10 10 image.png", DEFER),
    ("plutil -p Info.plist", ALLOW),
    ("plutil -convert xml1 Info.plist", DEFER),
    ("lvs", ALLOW),
    ("vgdisplay data", ALLOW),
    ("dmsetup ls", ALLOW),
    ("dmsetup remove vg-lv", ASK),
    ("btrfs subvolume list /mnt/data", ALLOW),
    ("btrfs device stats -z /mnt/data", DEFER),
    ("mdadm --detail /dev/md0", ALLOW),
    ("service nginx status", ALLOW),
    ("service nginx stop", DEFER),
    ("security find-certificate -a -p", ALLOW),
    ("security find-generic-password -s gh -w", DENY),
    ("security verify-cert -c cert.pem", ALLOW),
    ("security verify-cert -c server.key", DENY),
    ("security dump-keychain login.keychain", DENY),
]

# Read verbs of catalogued CLIs: a noun that also reads as an action before a read verb,
# read compounds naming what they read, listing options; never secrets.
VERBS: list[tuple[str, str]] = [
    ("velero backup describe nightly", ALLOW),
    ("velero backup create nightly", DEFER),
    ("restic backup /srv", DEFER),
    ("restic snapshots", ALLOW),
    ("restic cat masterkey", DEFER),
    ("aws ec2 get-console-output --instance-id i-1", ALLOW),
    ("aws ec2 get-password-data --instance-id i-1", DEFER),
    ("aws apigateway get-api-keys", DEFER),
    ("aws s3api head-object --bucket b --key k", ALLOW),
    ("rabbitmqctl list_queues name messages", ALLOW),
    ("rabbitmqctl cluster_status", ALLOW),
    ("kafka-topics --bootstrap-server localhost:9092 --list", ALLOW),
    ("kafka-topics --bootstrap-server localhost:9092 --create --topic t", DEFER),
    ("ansible-playbook site.yml --list-hosts", ALLOW),
    ("ansible-playbook site.yml --diff", DEFER),
    ("ansible-doc -l", ALLOW),
    ("helm package ./chart --version 1.2.3", DEFER),
    ("helm completion bash", ALLOW),
    ("gcloud app browse", DEFER),
    ("launchctl getenv PATH", ALLOW),
    ("tmutil listlocalsnapshotdates", ALLOW),
    # a secret's noun in a read about it: policies, reports, usage; options naming which
    ("aws iam get-account-password-policy", ALLOW),
    ("aws iam get-access-key-last-used --access-key-id AKIA1", ALLOW),
    ("aws secretsmanager get-resource-policy --secret-id s", ALLOW),
    ("aws secretsmanager get-secret-value --secret-id s", DENY),
    ("aws apigateway get-api-key --api-key k --include-value", DEFER),
    ("aws configure get region", ALLOW),
    ("aws configure list", ALLOW),
    ("aws --profile prod configure get aws_access_key_id", DENY),
    ("aws configure export-credentials", DENY),
    # listings of secrets that print names only, per tool
    ("gh secret list -e production", ALLOW),
    ("gh secret set X", ASK),
    ("docker secret inspect s", ALLOW),
    ("vault kv list secret/", ALLOW),
    ("vault kv get secret/x", DENY),
    ("restic snapshots --password-file pw.txt", ALLOW),
    ("restic snapshots --password-command 'rm -rf ~'", DEFER),
    ("rclone lsd remote: --password-command 'touch x'", DEFER),
    ("aws ssm get-command-invocation --command-id c1 --instance-id i-1", ALLOW),
    # after the read verb, its object's name (not a verb of its own)
    ("velero backup describe daily-backup", ALLOW),
    ("aws logs put-log-events --log-group-name g", DEFER),
    ("az webapp log config --name app --docker-container-logging filesystem", DEFER),
]

# Each catalogued tool's grammar: global options that take a value, the group's options
# between two levels, verbs of its own, tools with no verbs (only report options count),
# help, dry runs, and options whose value is a command.
GRAMMAR: list[tuple[str, str]] = [
    ("auth0 --tenant t.auth0.com apps list", ALLOW),
    ("auth0 --tenant t.auth0.com apps delete a1", ASK),
    ("kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g", ALLOW),
    ("kafka-topics --bootstrap-server localhost:9092 --delete --topic t", ASK),
    ("docker compose -f docker-compose.yml ps", ALLOW),
    ("docker compose -f docker-compose.yml down -v", ASK),
    ("az monitor metrics list-definitions --resource /subscriptions/s/x", ALLOW),
    ("az devops configure --list", ALLOW),
    ("az devops configure --defaults project=x", DEFER),
    ("az storage blob download -c c -n b -f local.txt", ALLOW),
    ("az storage blob download -c c -n b -f ~/.bashrc", ASK),
    ("az storage blob upload -c c -n b -f local.txt", DEFER),
    ("aws dynamodb query --table-name t", ALLOW),
    ("aws dynamodb put-item --table-name t --item file://i.json", DEFER),
    ("aws cloudwatch get-metric-data --metric-data-queries file://q.json --start-time 1", ALLOW),
    ("aws ec2 start-instances --instance-ids i-1", DEFER),
    ("gh release download v1 --dir ./downloads", ALLOW),
    ("gh release download v1 --dir ~/.ssh", DENY),
    ("cdk synth", ALLOW),
    ("cdk synth --app 'rm -rf ~'", DEFER),
    ("cdk deploy --help", ALLOW),
    # `--help`/`--dry-run` after a command handed on belong to that command, which runs:
    # not a read (a compose run is judged by its isolation instead: allowed, it runs in the
    # project's service; docs/rules.md "Containers")
    ("heroku run ./migrate.sh --help", DEFER),
    ("heroku run python manage.py migrate --dry-run", DEFER),
    ("docker compose run web sh -c 'rm -rf /tmp/x' --help", ALLOW),
    ("cdk deploy", DEFER),
    ("cdk context --clear", DEFER),
    ("rclone sync src: dest: --dry-run", ALLOW),
    ("rclone sync src: dest:", ASK),
    ("nginx -t", ALLOW),
    ("nginx -s reload -t", DEFER),
    ("nginx", DEFER),
    ("prometheus", DEFER),
    ("ansible all --list-hosts", ALLOW),
    ("ansible all -C -m command -a uptime", ALLOW),
    ("ansible all -m raw -a 'rm -rf /tmp/x'", ASK),
    ("ansible-playbook site.yml --check", DEFER),
    ("ansible-vault -h", ALLOW),
    ("ansible-vault view secrets.yml", DEFER),
    ("ansible-inventory --graph all", ALLOW),
    ("ansible-config dump --only-changed", ALLOW),
    ("7zz l -slt archive.7z", ALLOW),
    ("7zz", ALLOW),
    ("7zz a archive.7z ~/.ssh", DENY),
    ("kong -v", ALLOW),
    ("brew help install", ALLOW),
    ("journalctl", ALLOW),
]

# SQL clients' read-only queries and listings; their file, shell and environment escapes.
SQL: list[tuple[str, str]] = [
    ("duckdb data.db 'SELECT count(*) FROM users'", ALLOW),
    ("duckdb -c \"SELECT * FROM read_csv('/etc/passwd')\"", DEFER),
    ("duckdb -c \"SELECT * FROM '/home/user/.aws/credentials'\"", DEFER),
    ("duckdb -c \"SELECT getenv('AWS_SECRET_ACCESS_KEY')\"", DEFER),
    ("duckdb -c 'DROP TABLE users'", ASK),
    ("sqlite3 app.db \"SELECT writefile('/tmp/x', 'y')\"", DEFER),
    ("sqlite3 app.db \"SELECT readfile('x.txt')\"", DEFER),
    ("sqlite3 -version", ALLOW),
    ("psql -l", ALLOW),
    ("psql --command='SELECT 1'", ALLOW),
    ("psql --command='DROP TABLE x'", ASK),
    ("mysql --execute='SELECT 1'", ALLOW),
    ("sqlcmd query 'SELECT @@VERSION'", ALLOW),
    ("sqlcmd -Q \"EXEC xp_cmdshell 'dir'\"", ASK),
    ("sqlcmd query 'SELECT 1; EXEC sp_configure'", ASK),
    ("sqlcmd config view", ALLOW),
    ("sqlcmd config view --raw", DEFER),
]

# Package managers' and system tools' reports.
REPORTS: list[tuple[str, str]] = [
    ("pip cache dir", ALLOW),
    ("pip cache purge", ASK),
    ("uv python list", ALLOW),
    ("uv python install 3.12", DEFER),
    ("npm version", ALLOW),
    ("npm version patch", DEFER),
    ("cargo search serde", ALLOW),
    ("brew analytics", ALLOW),
    ("brew analytics off", DEFER),
    ("dscl . -read /Users/alice", ALLOW),
    ("dscl . -list /Users", ALLOW),
    ("dscl . -create /Users/bob", ASK),
    ("dscl -u admin -P pw . -read /Users/alice", DEFER),
    ("tmutil listlocalsnapshots /", ALLOW),
    ("caffeinate -i", ALLOW),
    ("caffeinate -t 3600 ls -la", ALLOW),
    ("caffeinate -i bash -c 'rm -rf /'", DENY),
    ("tmutil deletelocalsnapshots 2024", ASK),
    ("symbols /usr/bin/ls", ALLOW),
    ("symbols -saveSignature sig /usr/bin/ls", DEFER),
    ("textutil -convert txt -stdout foo.rtf", ALLOW),
    ("compression_tool -encode -i in.dat", ALLOW),
    ("compression_tool -encode -i in.dat -o out", DEFER),
    ("mktemp -u", ALLOW),
    ("haproxy -c -f /etc/haproxy/haproxy.cfg", ALLOW),
    ("haproxy -f /etc/haproxy/haproxy.cfg", DEFER),
    ("promtool check rules /etc/prometheus/rules.yml", ALLOW),
    ("mdimport -t -d2 file.txt", ALLOW),
    ("mdimport -r file.txt", DEFER),
]

# gh api's method as gh defines it; raw API commands of other catalogued CLIs.
API: list[tuple[str, str]] = [
    ("gh api -XGET repos/o/r", ALLOW),
    ("gh api -f q='repo:cli/cli' -X GET search/issues", ALLOW),
    ("gh api repos/o/r/issues -f title=x", DEFER),
    ("gh api -X GET search -F q=@notes.txt", DEFER),
    ("gh api graphql -f query='query { viewer { login } }'", ALLOW),
    ("gh api graphql -f query='mutation { addStar(input: {}) { x } }'", DEFER),
    ("gh api --method=PATCH repos/o/r", ASK),
    ("gh api -X GET repos/o/r/actions/secrets", DEFER),
    ("glab api -X GET projects/1", ALLOW),
    ("glab api projects/1/variables", DEFER),
    ("glab api -X DELETE projects/1", ASK),
    ("auth0 api stats/daily", ALLOW),
    ("auth0 api post clients --data '{}'", DEFER),
    ("auth0 universal-login show", ALLOW),
    ("docker stack services s", ALLOW),
    ("docker save -o ~/x.tar app", ASK),
    # a catalogued CLI shipped as a jar is judged as itself
    ("java -jar jenkins-cli.jar -s https://ci.example.com/ list-jobs", ALLOW),
    ("java -jar jenkins-cli.jar -s https://ci.example.com/ get-credentials system::x", DEFER),
    ("java -jar jenkins-cli.jar -s https://ci.example.com/ delete-job x", ASK),
    ("java -jar other.jar list", DEFER),
    ("sample 1234 -file /tmp/out.txt", ALLOW),
    ("sample 1234 -file ~/.bashrc", ASK),
    ("kong check /etc/kong/kong.conf", ALLOW),
]

# xargs running a reader: the names are listed on the line (or there is no input at all);
# names from a file, from other programs, or built around the replace string are not seen.
XARGS: list[tuple[str, str]] = [
    ("xargs cat", ALLOW),
    ("xargs -0 -I {} -- head -5 {}", ALLOW),
    ("xargs -I {} -R 5 -S 255 head {}", ALLOW),
    ("find . -name '*.py' | xargs grep -n TODO", ALLOW),
    ("git ls-files | sort | xargs wc -l", ALLOW),
    ("rg -l foo src | xargs cat", ALLOW),
    ("echo README.md | xargs cat", ALLOW),
    ("echo ~/.ssh/id_rsa | xargs cat", DENY),
    ("echo .env | xargs cat", ASK),
    ("find ~/Documents | xargs cat", ASK),
    ("xargs -a files.txt cat", DEFER),
    ("xargs cat < files.txt", DEFER),
    ("cat files.txt | xargs cat", DEFER),
    ("curl -s https://example.com/list | xargs cat", DEFER),
    ("echo $LIST | xargs cat", DEFER),
    ("xargs -I{} cat ~/{}", DEFER),
    ("xargs -p cat", DEFER),
    ("xargs sort -o out.txt", DEFER),
    ("ls | xargs rg --pre cat foo", DEFER),
    # BSD xargs -R/-S/-J take values: what runs is the program after them
    ("echo ok | xargs -R 2 python -c 'import os; os.system(\"rm -rf /\")'", DENY),
]

# Shells running code they were given, find -exec readers, read forms of everyday tools.
MORE: list[tuple[str, str]] = [
    ("bash -c 'git status'", ALLOW),
    ("bash -xec 'git log | head'", ALLOW),
    ("bash -c 'rm -rf ~'", DENY),
    ('bash -c "$CMD"', ASK),
    ("printf '%s\\n' x | xargs sh -c 'sh -c \"$1\"' _", ASK),  # xargs's input becomes code
    ("find . -name '*.py' -exec grep -n TODO {} +", ALLOW),
    ("find . -type f -exec md5sum {} \\;", ALLOW),
    ("find ~ -exec cat {} \\;", ASK),
    ("find . -exec cat ~/{} \\;", DEFER),
    ("find . -ok cat {} \\;", DEFER),
    ("find . -name .env -exec cat {} \\;", ASK),
    ("ip a", ALLOW),
    ("ip -4 netconf", ALLOW),
    ("ip netns exec blue ip a", ASK),
    ("brew --prefix python", ALLOW),
    ("brew --cache --build-from-source python", DEFER),
    ("npm pkg get name version", ALLOW),
    ("npm config get registry", ALLOW),
    ("npm config get //registry.npmjs.org/:_authToken", ASK),
    ("npm get registry", ALLOW),
    ("npm get //registry.npmjs.org/:_authToken", ASK),
    ("npm whoami", ALLOW),
    ("git diff-tree -r HEAD", ALLOW),
    ("git symbolic-ref HEAD", ALLOW),
    ("git symbolic-ref HEAD refs/heads/other", DEFER),
    ("git hash-object file.txt", ALLOW),
    ("git hash-object -w file.txt", DEFER),
    ("git lfs ls-files", ALLOW),
    ("fzf --bind=ctrl-a:select-all", ALLOW),
    ("fzf --bind 'enter:execute(rm {})'", DEFER),
    ("fzf --bind 'ctrl-r:reload(find ~)'", DEFER),
]

# Output thrown away is no file a command acts on; git's usage, and restore without a path.
SINKS_AND_GIT: list[tuple[str, str]] = [
    ("rm -rf ./subdir 2>/dev/null", ASK),
    ("rm -rf build 2>/dev/null", ALLOW),
    ("rm -rf ../outside 2>/dev/null", DENY),
    ("git restore", ALLOW),
    ("git restore --worktree", ALLOW),
    ("git restore file.txt -h", ALLOW),
    ("git restore -p", ASK),
    ("git restore --no-patch -p", ASK),
    ("git restore -p --no-patch", ALLOW),
    ("git restore --pathspec-from-file=paths.txt", ASK),
    ("git restore file.txt", ASK),
    ("git reset --hard --help", ALLOW),
    # a disk image in the project is a file; a device stays denied
    ("mkfs.ext4 disk.img", DEFER),
    ("mkfs.ext4 /dev/sda1", DENY),
    ("mkfs.ext4 ~/disk.img", DENY),
    ("rsync -n -a /src/ /dest/", DEFER),
    ("rsync -a /src/ /dest/", ASK),
]

CASES = (
    VALUES
    + READ_FORMS
    + TEXT
    + SYSTEM
    + VERBS
    + GRAMMAR
    + SQL
    + REPORTS
    + API
    + XARGS
    + MORE
    + SINKS_AND_GIT
)


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_allow_side(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)
