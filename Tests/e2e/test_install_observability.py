"""The Grafana dashboard and the Prometheus alert rules speak about metrics the controller really
exports: every `elevator_*` name in them is one ControllerMetrics.swift registers (histograms with
their _bucket/_count/_sum series), or one of the notification counters of the notifier, and the
alerts the issue asks for are there."""
import json
import re

from install_support import CHART, ROOT, one, render

# Registered by the notification sender (issue 9), not by ControllerMetrics.swift.
NOTIFICATION_METRICS = {"elevator_notifications_sent_total", "elevator_notifications_failed_total"}


def exported():
    source = (ROOT / "Sources" / "ElevatorController" / "ControllerMetrics.swift").read_text()
    names = set(re.findall(r'Self\.name\("(elevator_[a-z_]+)"', source))
    assert {"elevator_leader", "elevator_expiry_to_deletion_seconds", "elevator_unreviewed_break_glass_grants"} <= names
    histograms = set(re.findall(r'makeDurationHistogram\(descriptor: Self\.name\("(elevator_[a-z_]+)"', source))
    return names | {h + suffix for h in histograms for suffix in ("_bucket", "_count", "_sum")} | NOTIFICATION_METRICS


def used(text):
    return set(re.findall(r"\belevator_[a-z_]+\b", text))


def test_dashboard_queries_name_exported_metrics():
    dashboard = json.loads((CHART / "files" / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(expressions) >= 10 and dashboard["uid"] == "elevator-controller"
    names = used(" ".join(expressions))
    assert names - exported() == set(), f"dashboard names metrics nobody exports: {sorted(names - exported())}"
    # The label names the queries group by are the ones the metrics carry.
    assert "by (phase)" in " ".join(expressions) and "by (verb, code)" in " ".join(expressions)


def test_alert_rules_cover_what_operators_need_and_name_exported_metrics():
    rule = one(render({"metrics": {"prometheusRule": {"enabled": True}}})[0], "PrometheusRule")
    alerts = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    assert {"ElevatorControllerDown", "ElevatorNoLeader", "ElevatorRevokeLagHigh", "ElevatorUnreviewedBreakGlass",
            "ElevatorNotificationsFailing"} <= set(alerts)
    names = used(" ".join(r["expr"] for r in alerts.values()))
    assert names - exported() == set(), f"alerts name metrics nobody exports: {sorted(names - exported())}"
    assert 'job="elevator-metrics"' in alerts["ElevatorControllerDown"]["expr"]
    assert alerts["ElevatorRevokeLagHigh"]["expr"].endswith("> 5")
    for alert in alerts.values():
        assert alert["labels"]["severity"] in {"critical", "warning"} and alert["annotations"]["description"]
    # Prometheus's own template syntax survives Helm's.
    assert "{{ $value" in alerts["ElevatorRevokeLagHigh"]["annotations"]["description"]


def test_dashboard_config_map_carries_the_dashboard():
    config_map = one(render({"metrics": {"dashboard": {"enabled": True}}})[0], "ConfigMap")
    assert json.loads(config_map["data"]["elevator.json"]) == json.loads((CHART / "files" / "grafana-dashboard.json").read_text())
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
