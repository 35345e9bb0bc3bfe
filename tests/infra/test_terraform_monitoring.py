"""terraform/monitoring.tf and outputs.tf read as data: every alarm pages the encrypted topic, the
per-Lambda and per-table alarms come from the one map, the PF360 metric filters read the line the client
really writes, the dashboard shows the metrics the handlers really emit, and no output leaks a secret."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from terraform_hcl import REPO, stack, walk

from pf360_client import errors as pf360_errors

FUNCTIONS = REPO / "functions"
TOPIC_ARN = "${aws_sns_topic.alarms.arn}"
LOG_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "exception": 40, "critical": 50}


def _alarms() -> dict[str, dict[str, Any]]:
    return stack().resources("aws_cloudwatch_metric_alarm")


def _resolved(value: Any) -> Any:
    """A value, with a bare `${local.name}` replaced by that local's own value."""
    if isinstance(value, str) and (match := re.fullmatch(r"\$\{local\.(\w+)\}", value)):
        return stack().locals[match.group(1)]
    return value


def _text(value: Any) -> str:
    return " ".join(str(leaf) for leaf in walk(value))


def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _calls(tree: ast.AST, attribute: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute
    ]


# --- alarms and their topic ------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_lambda_has_its_alarm_from_the_one_map(metric: str) -> None:
    # Given the alarms made per Lambda: for_each over local.lambdas (every key of resources.json)
    per_lambda = {
        name: body for name, body in _alarms().items() if body.get("for_each") == "${local.lambdas}"
    }
    # Then one of them watches this metric of that very function
    watching = [body for body in per_lambda.values() if metric in walk(body)]
    assert watching, f"no alarm with for_each = local.lambdas watches Lambda {metric}"
    for body in watching:
        assert "${aws_lambda_function.fn[each.key].function_name}" in walk(body), body


def test_lambda_error_alarm_has_a_rule_for_every_kind_of_lambda() -> None:
    # local.lambdas tags each function with a kind; the error alarm's threshold is looked up by it
    kinds = set(re.findall(r"\"kind\": \"(\w+)\"", stack().locals["lambdas"]))
    assert kinds, "local.lambdas no longer tags functions with a kind"
    assert set(stack().locals["lambda_error_alarm"]) == kinds


def test_every_alarm_notifies_the_topic_on_alarm_and_on_ok() -> None:
    alarms = _alarms()
    assert alarms
    for name, body in alarms.items():
        for key in ("alarm_actions", "ok_actions"):
            assert TOPIC_ARN in walk(_resolved(body.get(key))), (
                f"alarm {name}: {key} does not reach the topic"
            )
        assert body.get("treat_missing_data") in {"notBreaching", "breaching", "ignore", "missing"}, name


def test_the_dashboard_lists_every_alarm() -> None:
    listed = stack().locals["all_alarm_arns"]
    for name in _alarms():
        assert f"aws_cloudwatch_metric_alarm.{name}" in listed, f"dashboard's alarm widget misses {name}"


def test_alarm_topic_is_encrypted_with_the_stack_key() -> None:
    topic = stack().resource("aws_sns_topic", "alarms")
    assert topic.get("kms_master_key_id") in {"${aws_kms_key.stack.arn}", "${aws_kms_key.stack.id}"}


def test_only_this_accounts_cloudwatch_alarms_may_publish() -> None:
    policy = stack().resource("aws_sns_topic_policy", "alarms")
    assert policy["policy"] == "${data.aws_iam_policy_document.alarm_topic.json}"
    statements = stack().resource("aws_iam_policy_document", "alarm_topic", kind="data")["statement"]
    for statement in statements:
        assert statement.get("effect", "Allow") == "Allow"
        assert statement["actions"] == ["sns:Publish"]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
        conditions = {condition["variable"]: condition for condition in statement["condition"]}
        assert conditions["aws:SourceAccount"]["values"] == ["${local.account}"]
        assert all(":alarm:" in value for value in conditions["aws:SourceArn"]["values"])


def test_email_subscription_only_when_an_address_is_given() -> None:
    subscription = stack().resource("aws_sns_topic_subscription", "email")
    assert "var.alarm_email" in subscription["count"]
    assert subscription["endpoint"] == "${var.alarm_email}"
    assert subscription["topic_arn"] == TOPIC_ARN


def test_state_machine_alarms_watch_the_booking_machine() -> None:
    alarm = _alarms()["state_machine"]
    assert alarm["for_each"] == "${local.state_machine_alarms}"
    assert alarm["metric_name"] == "${each.key}"
    assert alarm["dimensions"] == {"StateMachineArn": "${aws_sfn_state_machine.booking.arn}"}
    watched = set(stack().locals["state_machine_alarms"])
    assert {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"} <= watched


def test_every_table_and_index_has_a_throttle_alarm() -> None:
    alarm = _alarms()["dynamodb_throttles"]
    assert alarm["for_each"] == "${local.tables}"
    assert "${aws_dynamodb_table.this[each.key].name}" in _text(alarm)
    metrics = stack().locals["dynamodb_throttle_metrics"]
    assert "in local.tables" in metrics
    assert "keys(table.indexes)" in metrics  # the GSIs' throttles are their own metrics
    assert {"ReadThrottleEvents", "WriteThrottleEvents"} <= set(re.findall(r"\w+ThrottleEvents", metrics))


# --- PF360 calls, from the client's log line ----------------------------------------------------------


def _pf360_log_line() -> tuple[str, str, set[str]]:
    """(message, level, extra keys) of the client's per-call log line that the filters match."""
    message = re.search(r'\$\.message = "([^"]+)"', stack().locals["pf360_call_pattern"])
    assert message, "local.pf360_call_pattern matches no message"
    tree = _module(FUNCTIONS / "pf360_client" / "client.py")
    for level in LOG_LEVELS:
        for call in _calls(tree, level):
            if (
                call.args
                and isinstance(call.args[0], ast.Constant)
                and call.args[0].value == message.group(1)
            ):
                extra = next(keyword.value for keyword in call.keywords if keyword.arg == "extra")
                assert isinstance(extra, ast.Dict)
                return (
                    message.group(1),
                    level,
                    {key.value for key in extra.keys if isinstance(key, ast.Constant)},
                )
    raise AssertionError(f"pf360_client/client.py logs no line {message.group(1)!r}")


def test_filters_match_a_line_the_client_logs_at_the_lambdas_level() -> None:
    # Given the line the filters look for, and the level the Lambdas log at (Powertools' default: INFO)
    _, level, _ = _pf360_log_line()
    configured = re.search(r'"POWERTOOLS_LOG_LEVEL": "(\w+)"', stack().locals["pf360_environment"])
    lambda_level = configured.group(1).lower() if configured else "info"
    # Then the line is written at that level or above, or no metric ever sees a call
    assert LOG_LEVELS[level] >= LOG_LEVELS[lambda_level], f"the client logs it at {level}"


def test_filters_read_only_fields_the_line_carries() -> None:
    _, _, extra = _pf360_log_line()
    for key, metric in stack().locals["pf360_log_metrics"].items():
        pattern = metric["pattern"].replace(
            "${local.pf360_call_pattern}", stack().locals["pf360_call_pattern"]
        )
        fields = set(re.findall(r"\$\.(\w+)", pattern + " " + metric["value"]))
        assert fields <= extra | {"message"}, f"{key}: {fields - extra} are not in the client's log line"


def test_filters_count_the_transports_that_stand_for_pf360() -> None:
    names = {
        node.value.value
        for node in ast.walk(_module(FUNCTIONS / "pf360_client" / "transport.py"))
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["name"]
        and isinstance(node.value, ast.Constant)
    }
    counted = set(re.findall(r'"(\w+)"', stack().locals["pf360_transport"]))
    assert counted
    assert counted <= names, f"{counted - names} is no transport name in pf360_client/transport.py"


def test_failures_leave_out_business_outcomes_only() -> None:
    # Outcomes not counted as failures must be real PF360 error classes, and never a transient fault
    outcomes = re.findall(r"\bPF360\w+", str(stack().locals["pf360_business_outcomes"]))
    assert "PF360SlotUnavailable" in outcomes
    for name in outcomes:
        error = getattr(pf360_errors, name, None)
        assert isinstance(error, type), f"{name} is not a class of pf360_client.errors"
        assert issubclass(error, pf360_errors.PF360Error)
        assert not issubclass(error, pf360_errors.PF360TransientError), (
            f"{name} is a fault PF360 should be paged for"
        )
    failures = stack().locals["pf360_log_metrics"]["failures"]["pattern"]
    assert '($.outcome != "ok")' in failures
    assert "local.pf360_business_outcomes" in failures


def test_every_lambda_logs_pf360_calls_as_powertools_json() -> None:
    # The filters read JSON fields: each Powertools Logger must hand its format to the client's logger
    for path in sorted(FUNCTIONS.rglob("*.py")):
        tree = _module(path)
        if not any(isinstance(node.func, ast.Name) and node.func.id == "Logger" for node in _ast_calls(tree)):
            continue
        copies = [call for call in _ast_calls(tree) if _name(call) == "copy_config_to_registered_loggers"]
        assert any("pf360_client" in ast.unparse(call) for call in copies), (
            f"{path} does not pass its format on"
        )


def _ast_calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else None


def test_filters_cover_every_lambda_log_group() -> None:
    flt = stack().resource("aws_cloudwatch_log_metric_filter", "pf360")
    assert flt["for_each"] == "${local.pf360_log_metric_filters}"
    assert (
        "setproduct(keys(local.lambdas), keys(local.pf360_log_metrics))"
        in stack().locals["pf360_log_metric_filters"]
    )
    assert flt["log_group_name"] == "${aws_cloudwatch_log_group.lambda[each.value.lambda].name}"
    assert flt["metric_transformation"][0]["namespace"] == "${local.metrics_namespace}"


def test_error_rate_alarm_divides_the_filters_metrics_with_a_minimum_of_calls() -> None:
    alarm = _alarms()["pf360_error_rate"]
    assert alarm["threshold"] == "${var.pf360_error_rate_alarm_percent}"
    expression = next(query["expression"] for query in alarm["metric_query"] if query.get("return_data"))
    assert "var.pf360_error_rate_min_calls" in expression
    assert "failures" in expression
    assert "calls" in expression
    text = _text(alarm)
    for metric in ("calls", "failures"):
        assert f"${{local.pf360_log_metrics.{metric}.name}}" in text
    assert "${local.metrics_namespace}" in text


# --- the dashboard and the handlers' EMF metrics ------------------------------------------------------


def _emf() -> tuple[str, str, set[str]]:
    """(namespace, service, metric names) the agent handlers emit (agent_actions/observability.py)."""
    tree = _module(FUNCTIONS / "agent_actions" / "observability.py")
    metrics = next(call for call in _ast_calls(tree) if _name(call) == "Metrics")
    options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in metrics.keywords}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "_OUTCOME_METRICS" for t in node.targets
        ):
            names |= set(ast.literal_eval(node.value).values())
    for call in _calls(tree, "add_metric"):
        name = next(keyword.value for keyword in call.keywords if keyword.arg == "name")
        if isinstance(name, ast.Constant):
            names.add(name.value)
    return options["namespace"], options["service"], names


def test_dashboard_shows_every_metric_the_handlers_emit() -> None:
    namespace, service, names = _emf()
    assert names
    assert stack().locals["metrics_namespace"] == namespace
    assert stack().locals["emf_service"] == service  # EMF metrics carry Powertools' service dimension
    assert set(stack().locals["emf_metrics"]) == names
    widgets = _text(stack().locals["dashboard_widgets"])
    assert "local.emf_metrics" in widgets
    assert "${local.emf_service}" in widgets


def test_dashboard_body_is_the_widgets() -> None:
    body = stack().resource("aws_cloudwatch_dashboard", "this")["dashboard_body"]
    assert "jsonencode" in body
    assert "local.dashboard_widgets" in body


@pytest.mark.parametrize(
    "shown",
    [
        "ExecutionsStarted",
        "ExecutionsSucceeded",
        "ExecutionsFailed",
        "Errors",
        "Duration",
        "local.pf360_log_metrics.calls.name",
        "local.pf360_log_metrics.failures.name",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    ],
)
def test_dashboard_shows(shown: str) -> None:
    assert shown in _text(stack().locals["dashboard_widgets"])


# --- outputs ----------------------------------------------------------------------------------------

REQUIRED_OUTPUTS = {
    "region": "var.region",
    "agent_id": "aws_bedrockagent_agent.supervisor.agent_id",
    "agent_alias_id": "aws_bedrockagent_agent_alias.supervisor.agent_alias_id",
    "state_machine_arn": "aws_sfn_state_machine.booking.arn",
    "state_machine_name": "aws_sfn_state_machine.booking.name",
    "table_names": "aws_dynamodb_table.this",
    "lambda_function_names": "aws_lambda_function.fn",
    "lambda_log_group_names": "aws_cloudwatch_log_group.lambda",
    "state_machine_log_group_name": "aws_cloudwatch_log_group.state_machine.name",
    "alarm_topic_arn": "aws_sns_topic.alarms.arn",
    "dashboard_name": "aws_cloudwatch_dashboard.this.dashboard_name",
    "pf360_secret_name": "aws_secretsmanager_secret.pf360.name",
    "kms_key_alias": "aws_kms_alias.session_tokens.name",
}


@pytest.mark.parametrize(("name", "source"), REQUIRED_OUTPUTS.items())
def test_outputs_give_ops_and_a_front_end_what_they_need(name: str, source: str) -> None:
    output = stack().outputs.get(name)
    assert output, f"no output {name}"
    assert output.get("description", "").strip(), f"output {name} has no description"
    assert source in output["value"]


def test_outputs_reference_resources_that_exist() -> None:
    for name, output in stack().outputs.items():
        for type_, resource in re.findall(r"\b(aws_\w+)\.(\w+)", output["value"]):
            assert resource in stack().resources(type_), f"output {name}: {type_}.{resource} is not declared"


def test_no_output_holds_a_secret_value_or_a_token() -> None:
    for name, output in stack().outputs.items():
        value = output["value"]
        assert "aws_secretsmanager_secret_version" not in value, name
        # attributes and variables read (resource names like session_tokens are only names)
        read = re.findall(r"\baws_\w+\.\w+(?:\[[^\]]*\])?\.(\w+)", value) + re.findall(r"\bvar\.(\w+)", value)
        leaking = [word for word in read if re.search(r"secret|token|password", word, re.IGNORECASE)]
        assert not leaking, f"output {name} reads {leaking}"
        for attribute in re.findall(r"aws_secretsmanager_secret\.\w+\.(\w+)", value):
            assert attribute in {"name", "arn"}, f"output {name} reads the secret's {attribute}"
