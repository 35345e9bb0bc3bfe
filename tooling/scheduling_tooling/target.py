"""Where a command acts: the local stack `scheduling local up` serves, a deployed stack on AWS, or a
stack started in this process for one command.

`resolve(args)` picks, in order: AWS when `--aws` is given; else the local stack at the well-known
endpoint (`--endpoint`, else $SCHEDULING_LOCAL_ENDPOINT, else http://127.0.0.1:5360) when it answers;
else, unless `--endpoint` was given explicitly, a stack started in-process for the command, announced
in one line. Never a silent new stack. The local stack speaks the AWS API over HTTP, so every command
runs the same boto3 code against both.

Problems a user can fix (no credentials, wrong region, nothing listening) raise `TargetError` with a
one-line message; commands print it to stderr and exit 2 (`cli_error`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

DEFAULT_LOCAL_ENDPOINT = "http://127.0.0.1:5360"
ENV_LOCAL_ENDPOINT = "SCHEDULING_LOCAL_ENDPOINT"
_LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}  # moto accepts any
_LOCAL_REGION = "us-east-1"  # the region the local stack deploys to (local/resources.py)
# Adaptive mode: exponential backoff with jitter on throttling, plus a client-side rate limiter that
# slows down after ThrottlingException, so a long scan stays inside the account's API quotas.
_AWS_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=10, read_timeout=60)
# Nothing behind a local endpoint should need a retry; a probe must fail fast when nothing listens.
_LOCAL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=60)
_PROBE_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=5)

_CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    SSOError,
    TokenRetrievalError,
)
_REJECTED_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
}


class TargetError(Exception):
    """The command cannot reach its stack; the message is one line for the user."""


@dataclass(frozen=True)
class Target:
    kind: Literal["local", "aws", "embedded"]
    region: str
    state_machine_arn: str
    tables: dict[str, str]  # key of statemachines/resources.json -> table name (sessions, idempotency)
    endpoint_url: str | None
    profile: str | None
    stack: Any = field(default=None, compare=False, repr=False)  # the EmbeddedStack when kind == "embedded"

    def client(self, service: str) -> Any:
        """A boto3 client for the stack: the same calls reach AWS and the local stack."""
        if self.kind == "aws":
            try:
                session = boto3.Session(profile_name=self.profile, region_name=self.region)
            except ProfileNotFound as error:
                raise TargetError(f"unknown AWS profile {self.profile!r}") from error
            return session.client(service, config=_AWS_CONFIG)
        if self.kind == "local":
            return boto3.client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=_LOCAL_CONFIG,
                **_LOCAL_CREDENTIALS,
            )
        # embedded: moto intercepts every boto3 call in this process
        return boto3.client(service, region_name=self.region, config=_LOCAL_CONFIG, **_LOCAL_CREDENTIALS)

    def describe(self) -> str:
        if self.kind == "local":
            return f"local stack at {self.endpoint_url}"
        if self.kind == "embedded":
            return "in-process local stack (started for this command, gone when it ends)"
        profile = f", profile {self.profile}" if self.profile else ""
        return f"AWS {self.region}{profile}: {self.state_machine_arn.rsplit(':', 1)[-1]}"

    @property
    def sessions_table(self) -> str:
        return self.tables["sessions"]


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where (default: the running local stack, else a new one for the call)")
    group.add_argument("--aws", action="store_true", help="act on the deployed stack on AWS")
    group.add_argument("--region", help="AWS region (default: Terraform's `region` output, else AWS config)")
    group.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
    group.add_argument(
        "--terraform-dir",
        type=Path,
        default=Path("terraform"),
        help="where `terraform output -json` names the deployed resources (default: terraform)",
    )
    group.add_argument(
        "--state-machine-arn", help="with --aws: the booking state machine (default: from Terraform)"
    )
    group.add_argument("--sessions-table", help="with --aws: the sessions table (default: from Terraform)")
    group.add_argument(
        "--endpoint",
        metavar="URL",
        help=f"the local stack's endpoint (default: ${ENV_LOCAL_ENDPOINT}, else {DEFAULT_LOCAL_ENDPOINT})",
    )


@contextmanager
def resolve(
    args: argparse.Namespace,
    *,
    announce: Callable[[str], None] = print,
    stack_options: dict[str, Any] | None = None,
) -> Iterator[Target]:
    """The target the arguments name (see the module doc); `stack_options` go to an in-process
    EmbeddedStack when one has to be started."""
    if getattr(args, "aws", False):
        yield _aws_target(args)
        return
    explicit = getattr(args, "endpoint", None)
    endpoint = (explicit or os.environ.get(ENV_LOCAL_ENDPOINT) or DEFAULT_LOCAL_ENDPOINT).rstrip("/")
    local = probe_local(endpoint)
    if local is not None:
        yield local
        return
    if explicit:
        raise TargetError(f"no local stack answers at {endpoint} (start one with `scheduling local up`)")
    from scheduling_tooling.local.stack import EmbeddedStack

    announce(
        f"no local stack at {endpoint}: started an empty one in this process for this command "
        "(`scheduling local up` keeps one running)"
    )
    with EmbeddedStack(**(stack_options or {})) as stack:
        yield Target(
            kind="embedded",
            region=stack.resources.region,
            state_machine_arn=stack.state_machine_arn,
            tables=_local_tables(),
            endpoint_url=None,
            profile=None,
            stack=stack,
        )


def probe_local(endpoint: str) -> Target | None:
    """The local stack at `endpoint` if one answers there with the booking state machine, else None."""
    from scheduling_tooling.local.resources import Resources

    sfn = boto3.client(
        "stepfunctions",
        region_name=_LOCAL_REGION,
        endpoint_url=endpoint,
        config=_PROBE_CONFIG,
        **_LOCAL_CREDENTIALS,
    )
    name = Resources().state_machine_name
    try:
        machines = sfn.list_state_machines()["stateMachines"]
    except (BotoCoreError, ClientError, ValueError):
        return None
    arn = next((m["stateMachineArn"] for m in machines if m["name"] == name), None)
    if arn is None:
        return None
    return Target(
        kind="local",
        region=_LOCAL_REGION,
        state_machine_arn=arn,
        tables=_local_tables(),
        endpoint_url=endpoint,
        profile=None,
    )


def _local_tables() -> dict[str, str]:
    from scheduling_tooling.local.resources import Resources

    resources = Resources()
    return {key: resources.name(table["name"]) for key, table in resources.spec["tables"].items()}


def _aws_target(args: argparse.Namespace) -> Target:
    outputs: dict[str, Any] = {}
    if not (args.state_machine_arn and args.sessions_table):
        outputs = terraform_outputs(args.terraform_dir)
    arn = args.state_machine_arn or outputs.get("state_machine_arn")
    tables = dict(outputs.get("table_names") or {})
    if args.sessions_table:
        tables["sessions"] = args.sessions_table
    if not arn or "sessions" not in tables:
        raise TargetError(
            f"no state machine or sessions table: give --state-machine-arn and --sessions-table, "
            f"or run where `terraform output -json` names them (--terraform-dir, now {args.terraform_dir})"
        )
    arn_region = arn.split(":")[3] if arn.count(":") >= 6 else ""
    region = args.region or outputs.get("region") or _configured_region(args.profile) or arn_region
    if not region:
        raise TargetError("no AWS region: give --region or configure one (AWS_REGION, ~/.aws/config)")
    if arn_region and arn_region != region:
        raise TargetError(f"wrong region: the state machine is in {arn_region}, not {region} (--region)")
    target = Target(
        kind="aws",
        region=region,
        state_machine_arn=arn,
        tables=tables,
        endpoint_url=None,
        profile=args.profile,
    )
    check(target)
    return target


def check(target: Target) -> None:
    """One cheap call that proves credentials, region and state machine, with a one-line error."""
    try:
        target.client("stepfunctions").describe_state_machine(stateMachineArn=target.state_machine_arn)
    except Exception as error:
        raise TargetError(explain(error, target)) from error


def explain(error: BaseException, target: Target | None = None) -> str:
    """One line a user can act on, for an error from a call to the target."""
    where = f" ({target.describe()})" if target else ""
    if isinstance(error, TargetError):
        return str(error)
    if isinstance(error, _CREDENTIAL_ERRORS):
        return f"no usable AWS credentials{where}: {error} (aws configure / aws sso login / --profile)"
    if isinstance(error, ProfileNotFound):
        return f"unknown AWS profile: {error}"
    if isinstance(error, NoRegionError):
        return "no AWS region: give --region or configure one"
    if isinstance(error, EndpointConnectionError):
        if target is not None and target.kind == "local":
            return f"no local stack answers at {target.endpoint_url} (start one with `scheduling local up`)"
        region = target.region if target else "?"
        return f"cannot reach {error.kwargs.get('endpoint_url', 'AWS')}: is {region} a region? (--region)"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in _REJECTED_CREDENTIALS:
            return f"AWS rejected the credentials{where}: {code} (aws sso login / --profile)"
        if code in {"AccessDeniedException", "AccessDenied"}:
            return f"access denied{where}: {message}"
        if code == "StateMachineDoesNotExist":
            return f"no state machine {target.state_machine_arn if target else ''}{where} (wrong region?)"
        if code == "ExecutionDoesNotExist":
            return f"no such execution{where}: {message}"
        if code == "ResourceNotFoundException":
            return f"not found{where}: {message} (wrong region or table name?)"
        return f"{code}{where}: {message}"
    if isinstance(error, BotoCoreError):
        return f"AWS call failed{where}: {error}"
    return f"{type(error).__name__}: {error}"


def terraform_outputs(directory: Path) -> dict[str, Any]:
    """`terraform output -json` as name -> value; a one-line TargetError when it cannot be read."""
    if shutil.which("terraform") is None:
        raise TargetError("terraform is not installed: give --state-machine-arn and --sessions-table")
    if not directory.is_dir():
        raise TargetError(f"no Terraform directory {directory} (--terraform-dir)")
    try:
        done = subprocess.run(  # noqa: S603
            ["terraform", f"-chdir={directory}", "output", "-json"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        outputs = json.loads(done.stdout or "{}") if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        outputs = None
    if not isinstance(outputs, dict) or not outputs:
        raise TargetError(f"`terraform output -json` in {directory} gave no outputs (not applied yet?)")
    return {name: entry.get("value") for name, entry in outputs.items() if isinstance(entry, dict)}


def _configured_region(profile: str | None) -> str | None:
    try:
        region = boto3.Session(profile_name=profile).region_name
        return str(region) if region else None
    except ProfileNotFound as error:
        raise TargetError(f"unknown AWS profile {profile!r}") from error
