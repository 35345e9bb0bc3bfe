"""The Bedrock agents in terraform/ (bedrock.tf, bedrock_iam.tf) against what they deploy: every action
group of resources.json is bound to its Lambda and its generated OpenAPI file, each agent reads its own
instruction file within Bedrock's limits and names exactly its own tools, the supervisor routes to all
collaborators, aliases follow what is prepared, and every grant is narrow."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest
from terraform_hcl import REPO, TERRAFORM, stack, walk

RESOURCES = json.loads((REPO / "statemachines" / "resources.json").read_text())
AGENT_KEYS = sorted(RESOURCES["agent_functions"])
INSTRUCTIONS = TERRAFORM / "instructions"
BEDROCK_FILES = {"bedrock.tf", "bedrock_iam.tf"}
FILE_CALL = re.compile(r'file\("\$\{path\.module\}/([^"]+)"\)')


def schema(key: str) -> dict[str, Any]:
    return json.loads((REPO / "schemas" / "agent" / f"{key}.openapi.json").read_text())


def operations(key: str) -> dict[str, dict[str, Any]]:
    """operationId -> operation of an action group's OpenAPI file."""
    return {op["operationId"]: op for path in schema(key)["paths"].values() for op in path.values()}


def instances(body: dict[str, Any]) -> list[str | None]:
    """The keys a resource block is created for: its for_each, as the stack spells it, evaluated."""
    for_each = body.get("for_each")
    if for_each is None:
        return [None]
    if for_each == "${local.agent_lambdas}":
        return list(AGENT_KEYS)
    if for_each == "${local.agent_keys}":
        assert "keys(local.agent_lambdas)" in stack().locals["agent_keys"]
        return ["supervisor", *AGENT_KEYS]
    if "local.collaborators" in for_each and "key != local.last_collaborator" in for_each:
        return [key for key in AGENT_KEYS if key != last_collaborator()]
    raise AssertionError(f"for_each {for_each!r} is not one this test can evaluate")


def last_collaborator() -> str:
    assert stack().locals["collaborator_keys"] == "${sort(keys(local.agent_lambdas))}"
    return AGENT_KEYS[-1]


def at(expression: str, key: str | None) -> str:
    """An expression as Terraform sees it for one instance (`each.key` filled in)."""
    if key is None:
        return expression
    return expression.replace("${each.key}", key).replace("[each.key]", f'["{key}"]')


def files_read(value: Any, key: str | None) -> set[str]:
    """The files (relative to terraform/) that a value reads with file()."""
    leaves = [leaf for leaf in walk(value) if isinstance(leaf, str)]
    return {match for leaf in leaves for match in FILE_CALL.findall(at(leaf, key))}


def agents() -> dict[str, dict[str, Any]]:
    """Agent key (supervisor or a collaborator's) -> its aws_bedrockagent_agent body."""
    found: dict[str, dict[str, Any]] = {}
    for name, body in stack().resources("aws_bedrockagent_agent").items():
        for key in instances(body):
            found[key or name] = body
    return found


def instruction_limits(shape: str) -> tuple[int, int]:
    """Bedrock's own length limits (the botocore model of the bedrock-agent API): 40..4000 for an
    agent's instruction, 1..4000 for a collaboration instruction, when this was written."""
    model = botocore.session.get_session().get_service_model("bedrock-agent")
    metadata = model.shape_for(shape).metadata
    return metadata["min"], metadata["max"]


def test_every_agent_function_has_an_action_group_bound_to_its_lambda_and_own_openapi_file() -> None:
    groups = stack().resources("aws_bedrockagent_agent_action_group")
    bound: dict[str, tuple[str, set[str]]] = {}
    for body in groups.values():
        for key in instances(body):
            assert key is not None, "an action group outside the agent functions' for_each"
            executor = at(body["action_group_executor"][0]["lambda"], key)
            bound[key] = (executor, files_read(body["api_schema"], key))
    assert sorted(bound) == AGENT_KEYS
    for key, (executor, schemas) in bound.items():
        assert executor == f'${{aws_lambda_function.fn["{key}"].arn}}'
        assert schemas == {f"../schemas/agent/{key}.openapi.json"}
        assert operations(key), f"schemas/agent/{key}.openapi.json has no operation"


def test_each_collaborator_owns_its_action_group_and_the_supervisor_has_none() -> None:
    for body in stack().resources("aws_bedrockagent_agent_action_group").values():
        assert body["agent_id"] == "${aws_bedrockagent_agent.collaborator[each.key].agent_id}"
        assert body["agent_version"] == "DRAFT"


def test_instruction_files_exist_and_each_is_read_by_exactly_its_own_agent() -> None:
    readers: dict[str, list[str]] = {}
    for key, body in agents().items():
        read = files_read(body["instruction"], key)
        assert read == {f"instructions/{key}.txt"}, f"agent {key} reads {read}"
        readers.setdefault(read.pop(), []).append(key)
    assert all(len(agents) == 1 for agents in readers.values()), readers
    on_disk = {f"instructions/{path.name}" for path in INSTRUCTIONS.iterdir()}
    assert on_disk == set(readers), "every instruction file is some agent's, and every agent's exists"


@pytest.mark.parametrize("key", ["supervisor", *AGENT_KEYS])
def test_instructions_fit_bedrock_limits_and_say_identity_comes_from_the_session(key: str) -> None:
    low, high = instruction_limits("Instruction")
    text = (INSTRUCTIONS / f"{key}.txt").read_text(encoding="utf-8")
    assert low <= len(text) <= high, f"{key}.txt has {len(text)} characters; Bedrock takes {low}..{high}"
    assert "comes from the session" in text
    assert re.search(r"never ask for", text, re.IGNORECASE)


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_collaborator_instructions_name_exactly_their_own_tools(key: str) -> None:
    text = (INSTRUCTIONS / f"{key}.txt").read_text(encoding="utf-8")
    own = set(operations(key))
    others = {op for other in AGENT_KEYS if other != key for op in operations(other)} - own
    assert {op for op in own if op not in text} == set(), "every tool of the group is explained"
    assert {op for op in others if re.search(rf"\b{op}\b", text)} == set(), "no other group's tool"


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_tools_that_need_the_customers_yes_are_told_so(key: str) -> None:
    text = (INSTRUCTIONS / f"{key}.txt").read_text(encoding="utf-8")
    confirmed = [op for op, spec in operations(key).items() if spec.get("x-requireConfirmation") == "ENABLED"]
    for op in confirmed:
        said = [line for line in text.splitlines() if op in line and re.search(r"\byes\b", line)]
        assert said, f"{op} needs the customer's confirmation; {key}.txt never says so next to it"


def test_supervisor_is_a_supervisor_that_routes_to_every_collaborator_through_its_alias() -> None:
    supervisor = agents()["supervisor"]
    assert supervisor["agent_collaboration"] == "SUPERVISOR"
    assert {agents()[key]["agent_collaboration"] for key in AGENT_KEYS} == {"DISABLED"}
    associated: list[str] = []
    for name, body in stack().resources("aws_bedrockagent_agent_collaborator").items():
        assert body["agent_id"] == "${aws_bedrockagent_agent.supervisor.agent_id}"
        for key in instances(body):
            associated.append(key if key is not None else last_collaborator())
            assert name != "last" or body["collaborator_name"] == "${local.last_collaborator}"
    assert sorted(associated) == AGENT_KEYS, "each collaborator associated exactly once"
    collaborators = stack().locals["collaborators"]
    assert "aws_bedrockagent_agent_alias.collaborator[key].agent_alias_arn" in collaborators
    assert sorted(stack().locals["collaboration_instructions"]) == AGENT_KEYS
    text = (INSTRUCTIONS / "supervisor.txt").read_text(encoding="utf-8")
    assert all(key in text for key in AGENT_KEYS), "the supervisor's instruction names each collaborator"


def test_collaboration_instructions_fit_bedrock_limits() -> None:
    low, high = instruction_limits("CollaborationInstruction")
    for key, text in stack().locals["collaboration_instructions"].items():
        assert low <= len(text) <= high, key


def test_supervisor_is_prepared_by_its_last_association_whenever_it_or_the_others_change() -> None:
    # A supervisor cannot be prepared before it has collaborators; the last association does it.
    associations = stack().resources("aws_bedrockagent_agent_collaborator")
    assert associations["collaborator"]["prepare_agent"] is False
    last = associations["last"]
    assert last["prepare_agent"] is True
    assert "${aws_bedrockagent_agent_collaborator.collaborator}" in last["depends_on"]
    triggers = set(last["lifecycle"][0]["replace_triggered_by"])
    assert triggers == {
        "${aws_bedrockagent_agent.supervisor}",
        "${aws_bedrockagent_agent_collaborator.collaborator}",
    }


def test_aliases_follow_new_prepared_versions_and_pin_none() -> None:
    aliases = stack().resources("aws_bedrockagent_agent_alias")
    assert set(aliases) == {"supervisor", "collaborator"}
    assert instances(aliases["collaborator"]) == AGENT_KEYS
    for body in aliases.values():
        assert "routing_configuration" not in body, "a pinned version would stop following updates"
    collaborator = aliases["collaborator"]["description"]
    for watched in ("instruction", "guardrail_configuration", "foundation_model"):
        assert f"aws_bedrockagent_agent.collaborator[each.key].{watched}" in collaborator
    for watched in ("api_schema", "action_group_executor"):
        assert f"aws_bedrockagent_agent_action_group.collaborator[each.key].{watched}" in collaborator
    supervisor = aliases["supervisor"]["description"]
    assert "aws_bedrockagent_agent.supervisor.instruction" in supervisor
    assert "aws_bedrockagent_agent_collaborator.last.id" in supervisor
    groups = stack().resources("aws_bedrockagent_agent_action_group").values()
    assert all(body["prepare_agent"] is True for body in groups)
    assert all(agents()[key]["prepare_agent"] is True for key in AGENT_KEYS)


def test_lambda_permissions_admit_only_each_functions_own_agent_of_this_account() -> None:
    bedrock = {
        name: body
        for name, body in stack().resources("aws_lambda_permission").items()
        if body["principal"] == "bedrock.amazonaws.com"
    }
    permitted: list[str] = []
    for body in bedrock.values():
        for key in instances(body):
            assert key is not None
            permitted.append(key)
            assert at(body["function_name"], key) == f'${{aws_lambda_function.fn["{key}"].function_name}}'
            assert (
                at(body["source_arn"], key) == f'${{aws_bedrockagent_agent.collaborator["{key}"].agent_arn}}'
            )
            assert body["source_account"] == "${local.account}"
    assert sorted(permitted) == AGENT_KEYS


def test_guardrail_blocks_prompt_attacks_at_the_variables_strength_and_guards_every_agent() -> None:
    assert "guardrail_prompt_attack_strength" in stack().variables
    guardrail = stack().resource("aws_bedrock_guardrail", "this")
    filters = {f["type"]: f for f in guardrail["content_policy_config"][0]["filters_config"]}
    assert filters["PROMPT_ATTACK"]["input_strength"] == "${var.guardrail_prompt_attack_strength}"
    assert filters["PROMPT_ATTACK"]["output_strength"] == "NONE"
    assert guardrail["kms_key_arn"] == "${aws_kms_key.stack.arn}"
    version = stack().resource("aws_bedrock_guardrail_version", "this")
    assert version["guardrail_arn"] == "${aws_bedrock_guardrail.this.guardrail_arn}"
    for key, body in agents().items():
        assert body["guardrail_configuration"] == [
            {
                "guardrail_identifier": "${aws_bedrock_guardrail.this.guardrail_id}",
                "guardrail_version": "${aws_bedrock_guardrail_version.this.version}",
            }
        ], key


def test_agents_use_the_model_session_ttl_and_stack_key_from_the_settings() -> None:
    for key, body in agents().items():
        assert body["foundation_model"] == "${var.foundation_model}", key
        assert body["idle_session_ttl_in_seconds"] == "${var.agent_idle_session_ttl_seconds}", key
        assert body["customer_encryption_key_arn"] == "${aws_kms_key.stack.arn}", key
        role = at(body["agent_resource_role_arn"], key)
        assert role == f'${{aws_iam_role.agent["{key}"].arn}}', f"agent {key} runs with its own role"
        assert at(body["agent_name"], key).startswith("${var.name_prefix}"), key


def listed(value: Any) -> list[Any]:
    """A list argument as written: a literal list, or one expression that makes the list."""
    return value if isinstance(value, list) else [value]


def _bedrock_policy_documents() -> dict[str, dict[str, Any]]:
    return {
        name: body
        for file, block in stack().blocks("data")
        if file in BEDROCK_FILES
        for name, body in block.get("aws_iam_policy_document", {}).items()
    }


def test_agent_roles_trust_only_bedrock_for_this_accounts_agents() -> None:
    trust = stack().resource("aws_iam_policy_document", "agent_trust", "data")["statement"]
    assert len(trust) == 1
    assert trust[0]["principals"] == [{"type": "Service", "identifiers": ["bedrock.amazonaws.com"]}]
    conditions = {c["variable"]: c for c in trust[0]["condition"]}
    assert conditions["aws:SourceAccount"]["values"] == ["${local.account}"]
    assert conditions["aws:SourceArn"]["test"] == "ArnLike"
    (source,) = conditions["aws:SourceArn"]["values"]
    assert source.endswith(":${local.account}:agent/*")
    roles = stack().resource("aws_iam_role", "agent")
    assert instances(roles) == ["supervisor", *AGENT_KEYS]
    assert roles["assume_role_policy"] == "${data.aws_iam_policy_document.agent_trust.json}"


def test_agent_grants_are_the_model_the_guardrail_the_key_and_for_the_supervisor_its_collaborators() -> None:
    documents = _bedrock_policy_documents()
    grants = {
        statement["sid"]: (set(listed(statement["actions"])), listed(statement.get("resources", [])))
        for name, body in documents.items()
        if name != "agent_trust"
        for statement in body["statement"]
    }
    assert grants == {
        "InvokeFoundationModel": ({"bedrock:InvokeModel"}, ["${local.agent_model_arn}"]),
        "ApplyGuardrail": ({"bedrock:ApplyGuardrail"}, ["${aws_bedrock_guardrail.this.guardrail_arn}"]),
        "StackKeyThroughBedrock": ({"kms:Decrypt", "kms:GenerateDataKey"}, ["${aws_kms_key.stack.arn}"]),
        "InvokeCollaborators": (
            {"bedrock:GetAgentAlias", "bedrock:InvokeAgent"},
            ["${[for alias in aws_bedrockagent_agent_alias.collaborator : alias.agent_alias_arn]}"],
        ),
    }
    model = stack().locals["agent_model_arn"]
    assert model.endswith(":foundation-model/${var.foundation_model}")
    assert ":bedrock:${var.region}::" in model
    supervisor_only = stack().resource("aws_iam_role_policy", "supervisor_collaborators")
    assert supervisor_only["role"] == '${aws_iam_role.agent["supervisor"].id}'


def test_no_bedrock_grant_is_for_any_resource_or_any_action() -> None:
    for name, body in _bedrock_policy_documents().items():
        for statement in body["statement"]:
            assert all("*" not in resource for resource in listed(statement.get("resources", []))), name
            assert all("*" not in action for action in listed(statement["actions"])), name
