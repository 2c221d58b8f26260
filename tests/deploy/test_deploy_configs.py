"""The deployment configurations in deploy/: valid against their specifications (the
compose_spec parser for compose.yaml, the Kubernetes OpenAPI schemas via kubernetes-validate
for deploy/kubernetes/), and faithful to the image's runtime contract (user, command,
healthcheck, state volume, loopback-published port, token from outside the file).

What cannot run here: neither file is started (no registry for postgres/prometheus images,
no cluster); GitHub Actions does not start them either. docs/deployment-guide.md says so.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from compose_spec import PyCompose

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CONTRACT: dict[str, Any] = json.loads((ROOT / "nix" / "runtime-contract.json").read_text())
VERSION: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
K8S = DEPLOY / "kubernetes"
K8S_FILES = sorted(K8S.rglob("*.yaml"))
# Two variants share the Service and NetworkPolicy at the top of deploy/kubernetes/.
VARIANTS = ("single", "replicated")


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_compose_file_parses_and_validates_against_the_compose_spec() -> None:
    compose = PyCompose.from_yaml((DEPLOY / "compose.yaml").read_text())
    compose.validate()
    assert set(compose.service_names()) == {"superego", "postgres", "prometheus"}


def test_the_compose_parser_rejects_a_broken_file() -> None:
    broken = (DEPLOY / "compose.yaml").read_text().replace("read_only: true", "read_only: maybe")
    with pytest.raises(ValueError, match="read_only"):
        PyCompose.from_yaml(broken)


def test_compose_runs_the_image_as_the_contract_says() -> None:
    service = _compose()["services"]["superego"]
    user = CONTRACT["user"]
    assert service["image"] == f"superego-mcp:{VERSION}"
    assert service["command"] == CONTRACT["command"]
    assert service["user"] == f"{user['uid']}:{user['gid']}"
    assert service["read_only"] is True
    assert service["tmpfs"] == ["/tmp"]
    assert service["healthcheck"]["test"] == CONTRACT["healthcheck"]["test"]
    assert f"superego-state:{CONTRACT['state_volume']}" in service["volumes"]
    # Published on loopback only; the token and the database password come from outside.
    assert all(p.startswith("127.0.0.1:") for p in service["ports"])
    assert service["environment"]["SUPEREGO_API_TOKEN"].startswith("${SUPEREGO_API_TOKEN:?")
    assert "${POSTGRES_PASSWORD:?" in service["environment"]["SUPEREGO_AUDIT"]
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_prometheus_scrapes_metrics_with_the_token_from_a_secret() -> None:
    compose = _compose()
    assert compose["secrets"]["superego_token"] == {"environment": "SUPEREGO_API_TOKEN"}
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["metrics_path"] == "/metrics"
    assert scrape["authorization"]["credentials_file"] == "/run/secrets/superego_token"
    assert scrape["static_configs"][0]["targets"] == [f"superego:{CONTRACT['port']}"]


@pytest.mark.parametrize("path", K8S_FILES, ids=lambda p: p.name)
def test_kubernetes_manifest_validates_strictly(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_kubernetes_validation_rejects_an_unknown_field() -> None:
    deployment = yaml.safe_load((K8S / "single" / "deployment.yaml").read_text())
    deployment["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFS"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, kubernetes_validate.latest_version(), strict=True)


def _variant(name: str) -> dict[str, Any]:
    """The documents one `kubectl apply -f deploy/kubernetes/ -f deploy/kubernetes/NAME/` makes."""
    paths = sorted(K8S.glob("*.yaml")) + sorted((K8S / name).glob("*.yaml"))
    return {doc["kind"]: doc for path in paths for doc in yaml.safe_load_all(path.read_text())}


@pytest.mark.parametrize("variant", VARIANTS)
def test_kubernetes_deployment_keeps_the_contract(variant: str) -> None:
    kinds = _variant(variant)
    assert {"Deployment", "Service", "NetworkPolicy"} <= set(kinds)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    user = CONTRACT["user"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == user["uid"]
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert container["image"].endswith(f"/superego-mcp:{VERSION}")
    assert container["args"] == CONTRACT["command"]
    assert container["ports"][0]["containerPort"] == CONTRACT["port"]
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz", probe
    token = next(e for e in container["env"] if e["name"] == "SUPEREGO_API_TOKEN")
    assert "secretKeyRef" in token["valueFrom"]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {CONTRACT["state_volume"], "/tmp"} <= mounts
    ingress = kinds["NetworkPolicy"]["spec"]["ingress"][0]
    assert ingress["ports"] == [{"protocol": "TCP", "port": CONTRACT["port"]}]


def test_single_replica_keeps_its_state_across_rollouts() -> None:
    kinds = _variant("single")
    deployment = kinds["Deployment"]["spec"]
    # SQLite on a ReadWriteOnce claim: one writer, and the old pod stops before the new one
    # mounts it (a rolling update would deadlock on the claim or run two writers).
    assert deployment["replicas"] == 1
    assert deployment["strategy"] == {"type": "Recreate"}
    volumes = {v["name"]: v for v in deployment["template"]["spec"]["volumes"]}
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    pvc = kinds["PersistentVolumeClaim"]
    assert pvc["metadata"]["name"] == claim
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    # The pod's fsGroup makes the claim writable by the image's user.
    assert deployment["template"]["spec"]["securityContext"]["fsGroup"] == CONTRACT["user"]["gid"]


def test_replicated_variant_shares_postgresql_and_survives_disruptions() -> None:
    kinds = _variant("replicated")
    deployment = kinds["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = deployment["template"]["spec"]
    (container,) = pod["containers"]
    audit = next(e for e in container["env"] if e["name"] == "SUPEREGO_AUDIT")
    assert audit["valueFrom"]["secretKeyRef"]["name"] == "superego-mcp"
    assert "value" not in audit  # the DSN carries a password: never in the manifest
    labels = deployment["selector"]["matchLabels"]
    anti = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert anti[0]["podAffinityTerm"]["labelSelector"]["matchLabels"] == labels
    assert anti[0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    pdb = kinds["PodDisruptionBudget"]["spec"]
    assert pdb["selector"]["matchLabels"] == labels
    assert pdb["minAvailable"] == 1
    assert "PersistentVolumeClaim" not in kinds
