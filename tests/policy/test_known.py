"""Dangerous programs that are known (issue 18 item 5): each class recognised from the
program's own subcommands and options, through wrappers, with its read-only forms left alone."""

from __future__ import annotations

import pytest
from policy_helpers import bash, judge

from superego_mcp.policy.engine import Policy

CASES = {
    "deny-system-power": [
        "shutdown -r +1",
        "sudo -n poweroff",
        "systemctl --no-wall reboot",
        "timeout 5 systemctl kexec",
        "telinit 6",
        "loginctl terminate-user dev",
        "kill -s KILL -1",
        "kill -KILL 1",
        "kill 0",
        "pkill -v sshd",
        "pkill -9 -U 1000",
        "killall -r .",
        "bash -c 'halt -p'",
    ],
    "deny-secret-export": [
        "gpg2 --batch --export-secret-keys",
        "sudo -u alice pass show email",
        "op inject -i tpl.env -o .env.real",
        "vault print token",
        "bw get password github",
        "doppler secrets download --no-file",
        "gcloud --project p auth application-default print-access-token",
        "aws --region eu-west-1 ecr get-login-password",
        "oc get secret/x -o jsonpath='{.data}'",
        "kubectl get secret x --output=json",
        "docker-credential-desktop get",
        "sops -d secrets.enc.yaml",
    ],
    "ask-disk-tools": [
        "mount -o loop disk.img /mnt",
        "losetup -fP disk.img",
        "mdadm --stop /dev/md0",
    ],
    "ask-network-config": [
        "iptables -t nat -A POSTROUTING -j MASQUERADE",
        "ip6tables -P INPUT ACCEPT",
        "firewall-cmd --add-port=8080/tcp",
        "pfctl -d",
        "ifconfig eth0 10.0.0.2 netmask 255.255.255.0",
        "route add default gw 10.0.0.1",
        "networksetup -setdnsservers Wi-Fi 1.1.1.1",
        "resolvectl dns eth0 1.1.1.1",
        "ip netns exec blue bash",
    ],
    "ask-user-admin": [
        "chpasswd < users.txt",
        "adduser eve",
        "gpasswd -a eve wheel",
        "chage -M 90 eve",
    ],
    "ask-environment-secrets": ["env | rg -i 'api_key|secret'", "declare -x | grep -i cookie"],
}
READS = [
    "kill %1",
    "kill -HUP 1234",
    "kill -l",
    "pkill -f 'vite --port 5173'",
    "killall node",
    "systemctl status sshd",
    "gpg --verify x.sig",
    "gpg --export --armor me@example.com",
    "pass find github",
    "op whoami",
    "vault status",
    "aws sts get-caller-identity",
    "kubectl get secrets",
    "kubectl get secret x -o name",
    "gh auth status",
    "iptables -nvL",
    "iptables -S -t nat",
    "nft list ruleset",
    "ufw status verbose",
    "ip -br a",
    "ip route get 1.1.1.1",
    "ifconfig",
    "ifconfig eth0",
    "sysctl -a",
    "mount",
    "zfs list -t snapshot",
    "id",
    "passwd -S dev",
    "env | grep -i node",
]


@pytest.mark.parametrize(("rule", "command"), [(r, c) for r, cs in CASES.items() for c in cs])
def test_each_class_is_recognised(bundled: Policy, rule: str, command: str) -> None:
    d = judge(bundled, bash(command))
    assert d.rule_id == rule, (command, d.rule_id, d.reason)


@pytest.mark.parametrize("command", READS)
def test_reading_forms_are_not_taken_for_the_dangerous_ones(bundled: Policy, command: str) -> None:
    d = judge(bundled, bash(command))
    assert d.rule_id not in CASES, (command, d.rule_id)


def test_unknown_class_is_a_clear_error() -> None:
    from policy_helpers import rules

    from superego_mcp.policy import PolicyError

    with pytest.raises(PolicyError, match=r"unknown 'known' class 'reboot'.*power"):
        rules("- {id: x, action: deny, reason: r, conditions: {known: [reboot]}}")


def test_a_known_rule_is_indexed_by_its_programs(bundled: Policy) -> None:
    """The rule is skipped (its tables never imported) for commands it cannot concern."""
    [rule] = [r for r in bundled.rules if r.id == "deny-secret-export"]
    assert rule.programs is not None
    assert {"gpg", "kubectl", "aws"} <= rule.programs
    assert "ls" not in rule.programs
