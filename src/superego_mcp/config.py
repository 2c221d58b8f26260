"""Settings: one typed model, read from a YAML file and ``SUPEREGO_*`` environment variables.

Precedence, highest first: command-line flags (passed as overrides), environment variables,
the settings file (``--config`` or ``$SUPEREGO_CONFIG``), defaults. Validated once, at
start-up; a bad value is a :class:`ConfigError` that names the setting.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from superego_mcp.errors import SuperegoError
from superego_mcp.model import FailMode
from superego_mcp.net import is_loopback
from superego_mcp.places import cache_dir, old_dirs, settings_file, state_dir, user_policy_path
from superego_mcp.reviewer import MAX_TIMEOUT_S, PROVIDERS

if TYPE_CHECKING:
    from superego_mcp.model import Action
    from superego_mcp.policy.engine import Policy
    from superego_mcp.reviewer.core import Reviewer

DefaultAction = Literal["policy", "ask", "defer", "allow"]
Installs = Literal["allow", "ask"]
Transport = Literal["stdio", "http", "sse"]


class ShellLimits(TypedDict, total=False):
    """Bounds on shell-command analysis (settings ``shell_max_*``), as the keywords of
    ``Policy.evaluate``, ``decide`` and ``audit.replay.replay``; beyond them a command fails
    closed. A missing key leaves the analyzer's own default."""

    max_length: int
    max_depth: int
    max_commands: int


class ConfigError(SuperegoError):
    """A settings file or value that cannot be used; the message names the problem."""


class Settings(BaseSettings):
    """Every setting Superego reads. Environment: ``SUPEREGO_<NAME>`` (e.g.
    ``SUPEREGO_API_TOKEN``, ``SUPEREGO_RULES``)."""

    model_config = SettingsConfigDict(
        env_prefix="SUPEREGO_",
        extra="forbid",
        validate_default=True,
    )

    # --- policy -------------------------------------------------------------------------
    rules: Path | None = Field(
        default=None, description="Policy file; the bundled policy when unset."
    )
    fail_mode: FailMode = Field(
        default="ask",
        description="Answer when something fails (unparseable command, broken policy, crash) "
        "and for `review` rules while no reviewer answers.",
    )
    shell_max_length: int = Field(
        default=100_000, ge=1, description="Longest command text analysed; longer fails closed."
    )
    shell_max_depth: int = Field(
        default=32, ge=1, description="Deepest nesting analysed; deeper fails closed."
    )
    shell_max_commands: int = Field(
        default=500, ge=1, description="Most commands in one line; more fails closed."
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(cache_dir()),
        description="Where the hook keeps its compiled-policy cache; default "
        "$XDG_CACHE_HOME/superego (~/.cache/superego). The hook reads "
        "SUPEREGO_CACHE_DIR from its environment, not this file's value.",
    )

    # --- strictness (owner: everyday) ---------------------------------------------------
    default_action: DefaultAction = Field(
        default="policy",
        description="What a fully analysed call that no rule matches gets: `policy` keeps the "
        "policy file's `default` (the bundled policy's is `defer`: the agent's own permission "
        "settings decide); `ask` is strict (Superego asks about everything it has no rule "
        "for); `defer` hands such calls to the agent; `allow` lets them through. A command "
        "line the analyzer cannot fully see is asked about whatever this says.",
    )

    installs: Installs = Field(
        default="allow",
        description='The install family (docs/rules.md "Package installs"): `allow` lets '
        "installs and removals of packages from their registry through, whatever the "
        "destination (`npm ci`, `pip install -r requirements.txt`, `uv add x`, `cargo add x`, "
        "`cargo install x`, `npm i -g x`, `pipx install x`, `npm uninstall x`, ...), the "
        "project's own install scripts still read and judged; `ask` asks about every one. "
        "Installs from a URL, git, another index or a path outside the project, and the "
        "operating system's packages (root), are asked about either way.",
    )

    # --- policy layers and exceptions (docs/rules.md "Layering", "Allow once") -----------
    user_rules: Path | None = Field(
        default_factory=lambda: Path(user_policy_path()),
        description="The user policy layer (used when the file exists); "
        "default $XDG_CONFIG_HOME/superego/policy.yaml.",
    )
    project_rules: bool = Field(
        default=True,
        description="Read the project policy layer, .superego/policy.yaml at the project root.",
    )
    state_dir: Path = Field(
        default_factory=lambda: Path(state_dir()),
        description="Where `superego-mcp allow` keeps its exceptions; "
        "default $XDG_STATE_HOME/superego.",
    )

    # --- server -------------------------------------------------------------------------
    transport: Transport = Field(
        default="http",
        description="MCP transport of `serve`: `stdio`, or `http` / `sse` (one HTTP app serves "
        "both MCP HTTP transports, REST and the HTTP hook).",
    )
    host: str = Field(default="127.0.0.1", description="Bind address; loopback by default.")
    port: int = Field(default=8642, ge=0, le=65535, description="TCP port to bind (0-65535).")
    api_token: SecretStr | None = Field(
        default=None,
        description="Bearer token required on every route but /healthz; mandatory when "
        "binding a non-loopback address.",
    )
    cors_origins: list[str] = Field(default_factory=list, description="CORS allow-list.")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Extra Host header values accepted (DNS-rebinding protection).",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Larger request bodies get 413 (at least 1024)."
    )
    reload: bool = Field(default=True, description="Watch the policy file and hot-reload it.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Least severe log level written (to stderr)."
    )

    # --- audit trail, metrics, logs, decision stream (issue 11; docs/audit.md) ---------
    audit: str | None = Field(
        default=None,
        description="Where decisions are recorded: sqlite:///abs/path/audit.db, a "
        "postgresql:// DSN, or off; unset: SQLite at $XDG_STATE_HOME/superego/audit.db "
        "(~/.local/state/superego/audit.db).",
    )
    audit_synchronous: Literal["full", "normal"] = Field(
        default="normal",
        description="SQLite commits: normal (written to the WAL: survives any crash of "
        "Superego) or full (also fsynced: survives a power loss, ~4 ms more per commit).",
    )
    audit_retention_days: float | None = Field(
        default=None, gt=0, description="Delete audit rows older than this; unset: keep."
    )
    audit_max_rows: int | None = Field(
        default=None, ge=1, description="Keep at most this many audit rows; unset: no limit."
    )
    audit_prune_interval: float = Field(
        default=3600.0, gt=0, description="Seconds between the server's retention passes."
    )
    audit_write_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a server request waits for its audit row; then the decision is "
        "returned anyway and the failure counted and logged.",
    )
    decision_cache: int = Field(
        default=8192,
        ge=0,
        description="Judgements the server keeps for calls seen again (each reused only while "
        "the policy, the call and every file, symlink and session memory it read are "
        "unchanged; docs/server.md); 0 turns it off.",
    )
    stream_queue_size: int = Field(
        default=1000,
        ge=1,
        description="Events a live-stream subscriber may fall behind before it is dropped.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines: text for people, json (one object per line)."
    )

    @field_validator("audit")
    @classmethod
    def _audit_target(cls, v: str | None) -> str | None:
        from superego_mcp.audit.target import parse_target

        parse_target(v)  # TargetError (a ValueError) names the problem
        return v

    # --- reviewer (docs/reviewer.md) ----------------------------------------------------
    # Vendor keys and base URLs are NOT settings: they are read from the vendors' standard
    # variables (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL) at
    # review time, so no key is ever stored in a settings dump or the hook's cache.
    reviewer: str = Field(
        default="none",
        description="LLM reviewer for `review` rules: a comma-separated fallback chain of "
        "anthropic, openai, claude-cli, mcp-sampling (each may carry its model after a "
        "colon, e.g. `openai:llama3.2:3b`); `none` (default): no reviewer, `review` rules "
        "get the fail mode.",
    )
    reviewer_model: str | None = Field(
        default=None,
        description="Model for chain entries that name none (else each provider's default).",
    )
    reviewer_timeout: float = Field(
        default=20.0,
        gt=0,
        le=MAX_TIMEOUT_S,
        description="Overall deadline of one review in seconds (every provider and retry "
        "included); the command hook's deadline grows by this much for a review.",
    )
    reviewer_provider_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Deadline of one provider request (default: the overall one).",
    )
    reviewer_retries: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Retries per provider (429 and 5xx), within the deadline.",
    )
    reviewer_cache_ttl: float = Field(
        default=600.0, ge=0, description="Seconds a reviewer's answer is reused (0: no cache)."
    )
    reviewer_cache_size: int = Field(
        default=1024, ge=0, le=100_000, description="Answers kept in the reviewer's cache."
    )
    reviewer_breaker_failures: int = Field(
        default=3, ge=1, description="Consecutive failures that open a provider's breaker."
    )
    reviewer_breaker_cooldown: float = Field(
        default=30.0, ge=0, description="Seconds an open breaker waits before one probe."
    )
    reviewer_claude_command: str = Field(
        default="claude", min_length=1, description="The `claude` CLI (name on PATH or path)."
    )
    reviewer_max_input_chars: int = Field(
        default=24_000,
        ge=1000,
        description="Longest call data sent to the reviewer; longer is cut head + tail, marked.",
    )
    reviewer_redact: bool = Field(
        default=True,
        description="Send the reviewer the call with secrets redacted as the audit stores them "
        "(false: the raw call, secrets included).",
    )

    @field_validator("reviewer")
    @classmethod
    def _reviewer_chain(cls, v: str) -> str:
        entries = [e.strip() for e in v.split(",") if e.strip()]
        if [e.lower() for e in entries] in ([], ["none"]):
            return "none"
        for entry in entries:
            name = entry.partition(":")[0]
            if name not in PROVIDERS:
                raise ValueError(
                    f"unknown reviewer {name!r} (choose from {', '.join(PROVIDERS)}, or none)"
                )
        return ",".join(entries)

    def reviewer_config(self) -> dict[str, Any] | None:
        """The reviewer's settings as plain data (builtins only: the hook pickles them), or
        ``None`` when no reviewer is configured."""
        if self.reviewer == "none":
            return None
        chain = []
        for entry in self.reviewer.split(","):
            name, _, model = entry.partition(":")
            chain.append([name, model or self.reviewer_model or ""])
        return {
            "chain": chain,
            "timeout": self.reviewer_timeout,
            "provider_timeout": self.reviewer_provider_timeout,
            "retries": self.reviewer_retries,
            "cache_ttl": self.reviewer_cache_ttl,
            "cache_size": self.reviewer_cache_size,
            "breaker_failures": self.reviewer_breaker_failures,
            "breaker_cooldown": self.reviewer_breaker_cooldown,
            "claude_command": self.reviewer_claude_command,
            "max_input_chars": self.reviewer_max_input_chars,
            "redact": self.reviewer_redact,
        }

    @field_validator("host")
    @classmethod
    def _host_not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    @property
    def default_override(self) -> Action | None:
        """The action replacing the policy's default, ``None`` when the policy's own holds."""
        return None if self.default_action == "policy" else self.default_action

    def shell_limits(self) -> ShellLimits:
        """The analyzer's bounds these settings give (the one mapping of ``shell_max_*``)."""
        return ShellLimits(
            max_length=self.shell_max_length,
            max_depth=self.shell_max_depth,
            max_commands=self.shell_max_commands,
        )

    @property
    def is_loopback(self) -> bool:
        """True when ``host`` only accepts connections from this machine."""
        return is_loopback(self.host)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        # Only the per-file subclass made by load_settings() names a yaml_file.
        if settings_cls.model_config.get("yaml_file") is not None:
            sources.append(YamlConfigSettingsSource(settings_cls))
        return tuple(sources)

    def masked(self) -> dict[str, Any]:
        """The effective settings as JSON-ready data, secrets masked."""
        data: dict[str, Any] = json.loads(self.model_dump_json())
        if self.api_token is not None:
            data["api_token"] = "********"  # noqa: S105 - the mask, not a password
        if self.audit is not None:  # a DSN may carry a password
            from superego_mcp.audit.target import describe

            data["audit"] = describe(self.audit)
        return data


def settings_table() -> str:
    """docs/server.md's settings table, made from :class:`Settings` (``scripts/settings_table.py``
    writes it there; a test fails when the two differ)."""
    rows = [
        "| setting | environment | default | description |",
        "| --- | --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            made = field.default_factory()  # type: ignore[call-arg]
            # A computed path depends on the machine: its description says how it is found.
            default = f"`{json.dumps(made)}`" if isinstance(made, (list, dict)) else "computed"
        elif field.default is None:
            default = "unset"
        else:
            default = f"`{json.dumps(field.default)}`"
        text = " ".join((field.description or "").split()).replace("|", "\\|")
        rows.append(f"| `{name}` | `SUPEREGO_{name.upper()}` | {default} | {text} |")
    return "\n".join(rows) + "\n"


def _settings_class(file_path: Path | None) -> type[Settings]:
    """``Settings``, or a subclass that also reads ``file_path`` (no module-global state)."""
    if file_path is None:
        return Settings

    class FileSettings(Settings):
        model_config = SettingsConfigDict(yaml_file=file_path)

    return FileSettings


def _describe(
    loc: tuple[int | str, ...],
    msg: str,
    value: object,
    flags: dict[str, Any],
    file_path: Path | None,
) -> str:
    """One problem, naming the setting, where its value came from (in the order settings are
    read: flag, environment, file) and the value itself (never a secret's)."""
    name = ".".join(str(p) for p in loc) or "settings"
    if not loc:
        return f"{name}: {msg}"
    key = str(loc[0])
    variable = f"SUPEREGO_{key.upper()}"
    if key in flags:
        where = f"the --{key.replace('_', '-')} flag"
    elif any(k.upper() == variable for k in os.environ):
        where = variable
    elif file_path is not None:
        where = str(file_path)
    else:
        where = "the default"
    shown = "" if key == "api_token" or isinstance(value, dict) else f" {value!r}"
    return f"{name}{shown} (from {where}): {msg}"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build and validate the settings once.

    ``config_file`` falls back to ``$SUPEREGO_CONFIG``; ``overrides`` (command-line flags)
    win over everything, and ``None`` values among them are ignored.
    """
    path = settings_file(str(config_file) if config_file else None)
    file_path: Path | None = None
    if path:
        file_path = Path(path)
        if not file_path.is_file():
            raise ConfigError(f"settings file not found: {file_path}")
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return _settings_class(file_path)(**given)
    except ValidationError as exc:
        # Name where each bad value came from: a flag, the environment, or the file.
        problems = "; ".join(
            _describe(err["loc"], err["msg"], err.get("input"), given, file_path)
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
    except Exception as exc:  # a YAML syntax error in the file, for instance
        raise ConfigError(f"cannot read settings file {file_path}: {exc}") from None


def load_effective(
    settings: Settings,
    settings_file: str | None,
    *,
    project: str | None = None,
    executable: str | None = None,
    rules_text: str | None = None,
) -> Policy:
    """The policy in effect for these settings (``rules``, ``user_rules``, ``project_rules``,
    ``default_action``, ``installs``) in ``project`` (default:
    ``policy.layers.default_project()``), with Superego's own settings file, cache and state
    directories and its executable and code (default: ``places.running_code()``) protected. The
    one way every entry point loads it. ``rules_text``: the ``rules`` layer is this text (a
    pasted policy, named ``<pasted>`` in errors) instead of the ``rules`` file."""
    from superego_mcp.places import running_code
    from superego_mcp.policy.layers import INSTALL_RULES, default_project, load_layers

    protect = [str(settings.cache_dir), cache_dir(), str(settings.state_dir), *old_dirs()]
    protect += [executable] if executable else running_code()
    if settings_file:
        protect.append(settings_file)
    policy = load_layers(
        None if rules_text is not None else str(settings.rules) if settings.rules else None,
        user=str(settings.user_rules) if settings.user_rules else None,
        project_dir=(project or default_project()) if settings.project_rules else None,
        protect=tuple(protect),
        rules_text=rules_text,
    )
    policy = policy.with_default(settings.default_override)
    if settings.installs == "ask":
        policy = policy.without_rules(INSTALL_RULES)
    return policy


def build_reviewer(settings: Settings) -> Reviewer | None:
    """The LLM reviewer the settings configure (in-memory state), or ``None``. The reviewer
    package is imported only when one is configured."""
    data = settings.reviewer_config()
    if data is None:
        return None
    from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

    return Reviewer(ReviewerConfig.from_dict(data))
