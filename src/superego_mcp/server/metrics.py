"""Prometheus metrics for ``GET /metrics`` (prometheus-client).

Every figure lives in this module's :class:`Metrics`. When ``PROMETHEUS_MULTIPROC_DIR`` is
set before the server starts (several worker processes behind one port), prometheus-client
keeps each process's values in files there and a scrape of any process sums them all: the
figures stay correct whichever process answers. Labels never carry tool input: the tool
label is redacted and capped, rules are the policy's own ids.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from typing import Any, Final, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from superego_mcp import __version__
from superego_mcp.redact import redact_text

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
_FAST: Final = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_SLOW: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
BREAKER_STATES: Final = ("closed", "open", "half_open")


class CacheCounts(Protocol):
    """What the metrics read of the decision cache (``policy.judgecache.JudgeCache``)."""

    hits: int
    misses: int

    def __len__(self) -> int:
        """Judgements kept."""
        ...


class _CacheCollector:
    def __init__(self, cache: CacheCounts) -> None:
        self.cache = cache

    def collect(self) -> Iterator[Metric]:
        lookups = CounterMetricFamily(
            "superego_decision_cache_lookups",
            "Decision cache lookups by result (hit: a kept judgement still held).",
            labels=["result"],
        )
        lookups.add_metric(["hit"], self.cache.hits)
        lookups.add_metric(["miss"], self.cache.misses)
        yield lookups
        yield GaugeMetricFamily(
            "superego_decision_cache_entries", "Judgements kept.", value=len(self.cache)
        )


def _label(text: str | None, limit: int = 64) -> str:
    return "" if text is None else redact_text(text)[:limit]


# Redacted labels of the decisions already counted: (decision, tool, rule, entry) -> the
# counter's child. Tools and rules are few, so this stays small; it is bounded anyway.
_MAX_CHILDREN = 4096


class Metrics:
    """The server's metrics, in their own registry (several apps may live in one process)."""

    def __init__(self) -> None:
        """Create every metric; ``build_info`` is set at once."""
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self._counted: dict[tuple[str, str, str | None, str], tuple[Any, Any]] = {}
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.decisions = Counter(
            "superego_decisions",
            "Decisions made, by decision, tool, deciding rule and entry point.",
            ["decision", "tool", "rule", "entry"],
            registry=r,
        )
        self.decision_seconds = Histogram(
            "superego_decision_duration_seconds",
            "Time to decide one call (policy engine, and reviewer when one ran).",
            ["entry"],
            buckets=_FAST,
            registry=r,
        )
        self.review_seconds = Histogram(
            "superego_review_duration_seconds",
            "Time the reviewer took, by outcome.",
            ["outcome"],
            buckets=_SLOW,
            registry=r,
        )
        self.http_seconds = Histogram(
            "superego_http_request_duration_seconds",
            "HTTP request time by route (streams excluded).",
            ["route", "method"],
            buckets=_FAST,
            registry=r,
        )
        self.reloads = Counter(
            "superego_policy_reloads",
            "Policy reloads by outcome (ok, failed).",
            ["outcome"],
            registry=r,
        )
        self.audit_rows = Counter(
            "superego_audit_rows_written", "Audit rows committed by this server.", registry=r
        )
        self.audit_errors = Counter(
            "superego_audit_write_errors",
            "Decisions returned without their audit row (store error or timeout).",
            registry=r,
        )
        self.breaker = Gauge(
            "superego_reviewer_breaker_state",
            "Reviewer circuit breaker: 1 for the state last reported, else 0.",
            ["state"],
            multiprocess_mode="mostrecent",
            registry=r,
        )
        self.subscribers = Gauge(
            "superego_stream_subscribers",
            "Live decision-stream subscribers.",
            multiprocess_mode="livesum",
            registry=r,
        )
        self.stream_drops = Counter(
            "superego_stream_dropped_subscribers",
            "Stream subscribers dropped for falling behind.",
            registry=r,
        )
        build = Gauge(
            "superego_build_info",
            "Build information (value 1).",
            ["version", "python"],
            multiprocess_mode="max",
            registry=r,
        )
        build.labels(__version__, platform.python_version()).set(1)

    def decided(
        self,
        *,
        decision: str,
        tool: str,
        rule: str | None,
        entry: str,
        seconds: float,
        review: dict[str, Any] | None,
    ) -> None:
        """Count one decision and its latency (and the reviewer's, when it ran)."""
        key = (decision, tool, rule, entry)
        counters = self._counted.get(key)
        if counters is None:
            counters = (
                self.decisions.labels(decision, _label(tool), _label(rule, 128), entry),
                self.decision_seconds.labels(entry),
            )
            if len(self._counted) < _MAX_CHILDREN:
                self._counted[key] = counters
        counters[0].inc()
        counters[1].observe(seconds)
        if review:
            latency = review.get("latency_ms")
            if isinstance(latency, int | float):
                self.review_seconds.labels(_label(str(review.get("outcome")), 32)).observe(
                    latency / 1000
                )
            state = review.get("breaker")
            if isinstance(state, str) and state in BREAKER_STATES:
                for s in BREAKER_STATES:
                    self.breaker.labels(s).set(1 if s == state else 0)

    def watch_cache(self, cache: CacheCounts) -> None:
        """Show the decision cache's hits and misses (read at scrape time: nothing is
        counted per request). Not summed across worker processes."""
        self.registry.register(_CacheCollector(cache))

    def reloaded(self, ok: bool) -> None:
        """Count one policy reload."""
        self.reloads.labels("ok" if ok else "failed").inc()

    def exposition(self) -> bytes:
        """The text format: this process's registry, or every process's in multiprocess mode."""
        if self.multiprocess:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
