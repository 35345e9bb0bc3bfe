"""terraform/ against the code it deploys: every function of resources.json has its Lambda and role,
the ASL's placeholders are exactly the templatefile map, the IAM grants are exactly the AWS calls the
code makes (tests/infra/aws_calls.py reads them from the code), and the Lambda environment is the
settings models' variables."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest
from aws_calls import actions
from terraform_hcl import REPO, stack, walk

from agent_actions.services import AgentSettings
from pf360_client.settings import EnvSettings, Settings
from session_store.tokens import VaultSettings

RESOURCES = json.loads((REPO / "statemachines" / "resources.json").read_text())
ASL = (REPO / "statemachines" / RESOURCES["state_machine"]["definition"]).read_text()
KINDS = {"step": RESOURCES["functions"], "agent": RESOURCES["agent_functions"]}
# What each kind's code reads from the environment (the models build their settings from it).
MODELS: dict[str, tuple[type[EnvSettings], ...]] = {
    "step": (Settings, VaultSettings),
    "agent": (Settings, VaultSettings, AgentSettings),
}
# Granted for the Lambda or Step Functions service itself, not for a call in the code: logging to
# the function's own log group and tracing (X-Ray), the state machine's log delivery and encryption.
# Actions for which IAM's service authorization reference lists no resource type: "*" is the only
# resource they accept (the task token authorises SendTask*).
NO_RESOURCE_TYPE = {"states:SendTaskSuccess", "states:SendTaskFailure"}
PLATFORM_SIDS = {"OwnLogs", "Tracing", "LogDelivery", "EncryptedLogDelivery", "ExecutionData"}


def _grants() -> list[dict[str, Any]]:
    grants: list[dict[str, Any]] = stack().locals["lambda_grants"]
    return grants


def test_every_function_of_resources_json_has_its_lambda_role_and_log_group_from_one_block() -> None:
    lambdas = stack().locals["lambdas"]
    assert "local.resources.functions" in lambdas
    assert "local.resources.agent_functions" in lambdas
    for type_, name in [
        ("aws_lambda_function", "fn"),
        ("aws_iam_role", "lambda"),
        ("aws_iam_role_policy", "lambda"),
        ("aws_cloudwatch_log_group", "lambda"),
    ]:
        assert stack().resource(type_, name)["for_each"] == "${local.lambdas}", f"{type_}.{name}"
    fn = stack().resource("aws_lambda_function", "fn")
    assert fn["handler"] == "${each.value.handler}"
    assert fn["runtime"] == "python3.12"
    assert fn["tracing_config"] == [{"mode": "Active"}]
    assert fn["reserved_concurrent_executions"] == "${var.lambda_reserved_concurrency}"
    assert fn["layers"] == ["${aws_lambda_layer_version.shared.arn}"]
    # the zip `make package` writes for each function: dist/<resources.json name>.zip
    assert '"functions" : "agent_functions"][each.key].name}.zip' in fn["filename"]


def test_every_handler_in_resources_json_exists() -> None:
    for functions in KINDS.values():
        for function in functions.values():
            module, _, name = function["handler"].rpartition(".")
            assert (REPO / "functions" / (module.replace(".", "/") + ".py")).is_file(), function["handler"]
            assert re.search(rf"^{name} = |^def {name}\(", _source(module), re.M), function["handler"]


def _source(module: str) -> str:
    return (REPO / "functions" / (module.replace(".", "/") + ".py")).read_text()


def test_the_asl_placeholders_are_exactly_the_templatefile_map() -> None:
    expression = stack().locals["asl_placeholders"]
    comprehension = re.search(
        r'for key , fn in local\.resources\.functions : \\?"\$\{key\}(\w+)\\?"', expression
    )
    assert comprehension, expression
    supplied = {key + comprehension.group(1) for key in RESOURCES["functions"]}
    supplied |= set(re.findall(r'\{\\?"(\w+)\\?": ', expression))
    used = set(re.findall(r"\$\{(\w+)\}", ASL))
    assert used == supplied, f"ASL only: {used - supplied}, map only: {supplied - used}"
    machine = stack().resource("aws_sfn_state_machine", "booking")
    assert "local.asl_placeholders" in machine["definition"]
    assert "local.resources.state_machine.definition" in machine["definition"]


def test_state_machine_logs_everything_but_execution_data_by_default_and_is_traced() -> None:
    machine = stack().resource("aws_sfn_state_machine", "booking")
    assert machine["type"] == "STANDARD"
    logging = machine["logging_configuration"][0]
    assert logging["level"] == "ALL"
    assert logging["include_execution_data"] == "${var.state_machine_log_execution_data}"
    assert stack().variables["state_machine_log_execution_data"]["default"] is False
    assert machine["tracing_configuration"] == [{"enabled": True}]
    log_group = stack().resource("aws_cloudwatch_log_group", "state_machine")
    assert "kms_key_id" in log_group
    assert "retention_in_days" in log_group


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lambda_grants_are_exactly_the_aws_calls_the_code_makes(kind: str) -> None:
    granted = {action for grant in _grants() if kind in grant["kinds"] for action in grant["actions"]}
    for key, function in KINDS[kind].items():
        needed = actions(function["handler"])
        assert needed, f"{key}: no AWS call found; the scan is broken"
        assert needed == granted, (
            f"{key}: not granted {needed - granted}, granted but unused {granted - needed}"
        )


def test_step_lambdas_get_no_step_functions_rights_and_no_grant_is_for_everything() -> None:
    for grant in _grants():
        assert "step" not in grant["kinds"] or not any(a.startswith("states:") for a in grant["actions"])
        assert "*" not in grant["resources"] or set(grant["actions"]) <= NO_RESOURCE_TYPE, grant
        assert not any("*" in action for action in grant["actions"])
    document = stack().resource("aws_iam_policy_document", "lambda", "data")
    for statement in document["statement"]:
        if statement["resources"] == ["*"]:
            assert statement["sid"] in PLATFORM_SIDS, statement


def _asl_actions() -> set[str]:
    """The IAM actions the ASL's service integrations call (Step Functions' documented mapping)."""
    found = set()
    for resource in re.findall(r'"Resource": "arn:aws:states:::([^"]+)"', ASL):
        integration = resource.split(".")[0].removeprefix("aws-sdk:")
        service, action = integration.split(":")
        found.add(
            "lambda:InvokeFunction"
            if integration == "lambda:invoke"
            else f"{service}:{action[0].upper()}{action[1:]}"
        )
    return found


def test_state_machine_role_grants_exactly_its_integrations_and_the_platform() -> None:
    document = stack().resource("aws_iam_policy_document", "state_machine", "data")
    granted = {a for s in document["statement"] if s["sid"] not in PLATFORM_SIDS for a in s["actions"]}
    assert granted == _asl_actions()
    for statement in document["statement"]:
        assert statement["resources"] != ["*"] or statement["sid"] in PLATFORM_SIDS, statement
    invoke = next(s for s in document["statement"] if "lambda:InvokeFunction" in s["actions"])
    assert "local.resources.functions" in invoke["resources"]  # the step Lambdas only, not the agents'


def _environment_names(kind: str) -> set[str]:
    expressions = [
        stack().locals["pf360_environment"],
        stack().resource("aws_lambda_function", "fn")["environment"],
    ]
    if kind == "agent":
        expressions.append(stack().locals["agent_environment"])
    names = set()
    for value in walk(expressions):
        if isinstance(value, str):
            names |= set(re.findall(r"""["']([A-Z][A-Z0-9_]+)["']: """, value))
    names |= {key for key in stack().locals["agent_environment"] if kind == "agent"}
    return names


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lambda_environment_is_named_as_the_settings_models_read_it(kind: str) -> None:
    names = _environment_names(kind)
    fields = {f.alias: f for model in MODELS[kind] for f in model.model_fields.values() if f.alias}
    unknown = {n for n in names if n not in fields and not n.startswith("POWERTOOLS_")}
    assert not unknown, f"set but read by no settings model: {unknown}"
    required = {alias for alias, f in fields.items() if f.is_required()}
    assert required <= names, f"required but not set: {required - names}"
    if kind == "step":
        assert not {"STATE_MACHINE_ARN", "IDEMPOTENCY_TABLE_NAME"} & names


def test_no_secret_value_reaches_a_lambda_environment_or_an_output() -> None:
    text = "".join((REPO / "terraform" / name).read_text() for name in stack().files)
    assert "aws_secretsmanager_secret_version" not in text
    assert "secret_string" not in text


def test_every_variable_is_declared_in_one_file_typed_described_and_validated() -> None:
    declared = [(file, name) for file, block in stack().blocks("variable") for name in block]
    assert {file for file, _ in declared} == {"variables.tf"}, declared
    for name, variable in stack().variables.items():
        assert variable.get("type"), f"{name}: no type"
        assert len(str(variable.get("description", ""))) > 20, f"{name}: no description"
        assert variable.get("validation"), f"{name}: no validation"
        if variable["type"] == "bool":
            assert variable.get("nullable") is False, f"{name}: a flag must be true or false, not null"


def test_the_code_builds_aws_clients_only_in_the_way_the_scan_reads() -> None:
    """aws_calls finds services from `boto3.client("<literal>")`: a resource, a session's client or a
    service name held in a variable would be calls the IAM test cannot see, so none is allowed."""
    problems = []
    for path in sorted((REPO / "functions").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            receiver = ast.unparse(node.func.value)
            if node.func.attr == "resource" and "boto3" in receiver:
                problems.append(f"{where}: boto3 resource")
            if "Session" in receiver and node.func.attr == "client":
                problems.append(f"{where}: a session's client")
            if receiver == "boto3" and node.func.attr == "client":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    problems.append(f"{where}: a service name that is not a literal")
    assert not problems, problems
