"""terraform/envs/*.tfvars: each sets only declared variables, to values their type and validation
accept, and together they reproduce the seed's rollout (mock -> real reads -> real confirm -> real
cancel -> prod) with names that never collide between environments."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import hcl2
import pytest
from terraform_hcl import REPO, TERRAFORM, stack

ENVS = TERRAFORM / "envs"
ROLLOUT = ["dev", "staging", "prod"]
TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "bool": (bool,)}

CONTAINS = re.compile(r"\$\{contains\(\[(?P<items>[^\]]*)\], var\.(?P<var>\w+)\)\}")
REGEX = re.compile(
    r'\$\{(?:var\.(?P<empty>\w+) == "" \|\| )?can\(regex\("(?P<pattern>.*)", var\.(?P<var>\w+)\)\)\}'
)


@cache
def tfvars(env: str) -> dict[str, Any]:
    with (ENVS / f"{env}.tfvars").open() as handle:
        return hcl2.load(handle)


def value(env: str, name: str) -> Any:
    """What Terraform uses: the tfvars value, else the variable's default."""
    if name in tfvars(env):
        return tfvars(env)[name]
    variable = stack().variables[name]
    assert "default" in variable, f"{env}.tfvars does not set {name}, which has no default"
    return variable["default"]


def _typed(raw: str, type_: str) -> Any:
    return float(raw) if type_ == "number" else raw.strip().strip('"')


def allowed_values(name: str) -> list[Any] | None:
    """The list of a `contains([...], var.name)` validation, read from variables.tf (hcl2 drops quotes)."""
    variable = stack().variables[name]
    for validation in variable.get("validation", []):
        if match := CONTAINS.fullmatch(validation["condition"]):
            assert match.group("var") == name
            return [_typed(item, variable["type"]) for item in match.group("items").split(",")]
        assert "contains(" not in validation["condition"], f"{name}: a contains() this test cannot read"
    return None


def pattern(name: str) -> tuple[str, bool] | None:
    """(regex, empty allowed) of a `can(regex(...))` validation; hcl2 keeps HCL's escaped backslashes."""
    for validation in stack().variables[name].get("validation", []):
        if match := REGEX.fullmatch(validation["condition"]):
            assert match.group("var") == name
            return match.group("pattern").replace("\\\\", "\\"), match.group("empty") == name
        assert "regex(" not in validation["condition"], f"{name}: a regex validation this test cannot read"
    return None


def test_there_is_one_tfvars_per_rollout_environment() -> None:
    assert sorted(path.stem for path in ENVS.glob("*.tfvars")) == sorted(ROLLOUT)


def test_the_validation_readers_find_the_validations() -> None:
    # Guards the readers below: a variables.tf change they cannot parse must not pass silently
    assert "prod" in (allowed_values("environment") or [])
    assert 30 in (allowed_values("log_retention_days") or [])
    assert pattern("name_prefix")


@pytest.mark.parametrize("env", ROLLOUT)
def test_every_key_is_a_declared_variable_of_its_type(env: str) -> None:
    variables = stack().variables
    for name, given in tfvars(env).items():
        assert name in variables, f"{env}.tfvars sets {name}, which no .tf declares"
        type_ = variables[name]["type"]
        assert type_ in TYPES, f"{name}: type {type_} (extend TYPES)"
        assert isinstance(given, TYPES[type_]), f"{env}.tfvars: {name} = {given!r} is not a {type_}"
        if type_ == "number":
            assert not isinstance(given, bool), f"{env}.tfvars: {name} = {given!r} is not a number"


@pytest.mark.parametrize("env", ROLLOUT)
def test_values_pass_their_variables_validation(env: str) -> None:
    for name, given in tfvars(env).items():
        allowed = allowed_values(name)
        if allowed is not None:
            assert given in allowed, f"{env}.tfvars: {name} = {given!r}, allowed {allowed}"
        regex = pattern(name)
        if regex is not None:
            expression, empty_ok = regex
            assert (empty_ok and given == "") or re.search(expression, given), (
                f"{env}.tfvars: {name} = {given!r}"
            )


@pytest.mark.parametrize("env", ROLLOUT)
def test_every_required_variable_is_set(env: str) -> None:
    for name in stack().variables:
        value(env, name)


@pytest.mark.parametrize("env", ROLLOUT)
def test_each_file_deploys_its_own_environment(env: str) -> None:
    assert value(env, "environment") == env


@pytest.mark.parametrize("env", ROLLOUT)
def test_cancel_goes_real_only_after_confirm(env: str) -> None:
    # The rollout order: real confirm (phase 3) before real cancel (phase 4)
    assert not value(env, "enable_real_cancel") or value(env, "enable_real_confirm")


def test_dev_runs_on_the_mock() -> None:
    assert value("dev", "use_mock_api") is True


def test_staging_reads_from_the_real_api_with_the_write_switches_at_hand() -> None:
    assert value("staging", "use_mock_api") is False
    # phases 3 and 4 are one edit each: the flags are written out, not left to defaults
    assert {"enable_real_confirm", "enable_real_cancel"} <= set(tfvars("staging"))


def test_prod_is_all_real() -> None:
    assert value("prod", "use_mock_api") is False
    assert value("prod", "enable_real_confirm") is True
    assert value("prod", "enable_real_cancel") is True


def test_prod_reserves_concurrency_and_keeps_logs_longest() -> None:
    assert value("prod", "lambda_reserved_concurrency") != -1
    others = [value(env, "log_retention_days") for env in ROLLOUT if env != "prod"]
    assert value("prod", "log_retention_days") > max(others)


def _names(env: str) -> set[str]:
    """Every name resources.json gives, prefixed as this environment prefixes it."""
    resources = json.loads((REPO / "statemachines" / "resources.json").read_text())
    prefix = value(env, "name_prefix")
    names = {resources["state_machine"]["name"]}
    for group in ("functions", "agent_functions", "tables", "keys"):
        names |= {entry["name"] for entry in resources[group].values()}
    return {prefix + name for name in names}


@pytest.mark.parametrize(("env", "other"), [(a, b) for a in ROLLOUT for b in ROLLOUT if a < b])
def test_no_two_environments_share_a_name(env: str, other: str) -> None:
    assert value(env, "name_prefix") != value(other, "name_prefix")
    assert not _names(env) & _names(other)
