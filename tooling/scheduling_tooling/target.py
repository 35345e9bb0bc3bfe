"""Where a command acts: the local stack `scheduling local up` serves, a deployed stack on AWS, or a
stack started in this process for one command.

`resolve(args)` picks, in order: AWS when `--aws` is given; else the local stack at the well-known
endpoint (`local_endpoint(args)`: `--endpoint`, else $SCHEDULING_LOCAL_ENDPOINT, else
http://127.0.0.1:5360) when it answers its /_local/info (`local/discovery.py`); else, for commands that
ask for it (`start_stack=True`) and unless `--endpoint` was given, a stack started in-process for the
command, announced in one line. Never a silent new stack: other commands fail with one line. The local
stack speaks the AWS API over HTTP, so every command runs the same boto3 code against both.

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
    LoginTokenLoadError,
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
# Adaptive mode: exponential backoff with jitter on throttling, plus a client-side rate limiter that
# slows down after ThrottlingException, so a long scan stays inside the account's API quotas.
_AWS_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=10, read_timeout=60)
# The first call proves credentials and region: a wrong region must fail in seconds, not after ten
# backed-off attempts at an endpoint that does not exist.
CHECK_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=3, read_timeout=10
)
# Nothing behind a local endpoint should need a retry; a probe must fail fast when nothing listens.
_LOCAL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=60)
# A Lambda Invoke is not idempotent: a timed-out call is reported, never sent twice.
_LOCAL_LAMBDA_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=120)

# botocore's ways of saying "no usable credentials" (smoke uses the same list).
CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    SSOError,
    TokenRetrievalError,
    LoginTokenLoadError,
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
    state_machine_arn: str  # "" on a Lambda-only AWS target (`resolve(..., lambda_only=True)`)
    tables: dict[str, str]  # key of statemachines/resources.json -> table name (sessions, idempotency)
    endpoint_url: str | None
    profile: str | None
    lambda_url: str | None = None  # local and embedded: the Lambda endpoint (step and action-group Lambdas)
    simulator_url: str | None = None  # local and embedded: the PF360 simulator (POST /_sim/tokens signs in)
    outputs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # aws: Terraform's
    stack: Any = field(default=None, compare=False, repr=False)  # the EmbeddedStack when kind == "embedded"

    def client(self, service: str, *, config: Config | None = None) -> Any:
        """A boto3 client for the stack: the same calls reach AWS and the local stack."""
        if self.kind == "aws":
            try:
                session = boto3.Session(profile_name=self.profile, region_name=self.region)
            except ProfileNotFound as error:
                raise TargetError(f"unknown AWS profile {self.profile!r}") from error
            return session.client(service, config=config or _AWS_CONFIG)
        if service == "lambda" and self.lambda_url:
            return local_lambda_client(self.lambda_url, self.region)
        if self.kind == "local":
            return boto3.client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=config or _LOCAL_CONFIG,
                **_LOCAL_CREDENTIALS,
            )
        # embedded: moto intercepts every boto3 call in this process
        return boto3.client(
            service, region_name=self.region, config=config or _LOCAL_CONFIG, **_LOCAL_CREDENTIALS
        )

    def describe(self) -> str:
        if self.kind == "local":
            return f"local stack at {self.endpoint_url}"
        if self.kind == "embedded":
            return "in-process local stack (started for this command, gone when it ends)"
        profile = f", profile {self.profile}" if self.profile else ""
        machine = self.state_machine_arn.rsplit(":", 1)[-1] if self.state_machine_arn else "Lambdas"
        return f"AWS {self.region}{profile}: {machine}"

    @property
    def sessions_table(self) -> str:
        return self.tables["sessions"]


def local_lambda_client(url: str, region: str) -> Any:
    """A Lambda client for a local stack's Lambda endpoint, with its fake credentials (never the
    user's: a local call must neither need nor carry real AWS credentials)."""
    return boto3.client(
        "lambda", endpoint_url=url, region_name=region, config=_LOCAL_LAMBDA_CONFIG, **_LOCAL_CREDENTIALS
    )


def add_endpoint_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`--endpoint URL`: the local stack to use (read back with `local_endpoint(args)`)."""
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help=f"the local stack's endpoint (default: ${ENV_LOCAL_ENDPOINT}, else {DEFAULT_LOCAL_ENDPOINT})",
    )


def local_endpoint(args: argparse.Namespace) -> str:
    """The local stack's endpoint the arguments name: --endpoint, else $SCHEDULING_LOCAL_ENDPOINT, else
    the well-known http://127.0.0.1:5360."""
    given = getattr(args, "endpoint", None)
    return str(given or os.environ.get(ENV_LOCAL_ENDPOINT) or DEFAULT_LOCAL_ENDPOINT).rstrip("/")


def add_target_arguments(parser: argparse.ArgumentParser, *, state_machine: bool = True) -> None:
    """--aws, --region, --profile, --terraform-dir, --endpoint; with `state_machine`, also
    --state-machine-arn and --sessions-table."""
    group = parser.add_argument_group("where (default: the running local stack)")
    group.add_argument("--aws", action="store_true", help="act on the deployed stack on AWS")
    group.add_argument("--region", help="AWS region (default: Terraform's `region` output, else AWS config)")
    group.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
    group.add_argument(
        "--terraform-dir",
        type=Path,
        default=Path("terraform"),
        help="where `terraform output -json` names the deployed resources (default: terraform)",
    )
    if state_machine:
        group.add_argument(
            "--state-machine-arn", help="with --aws: the booking state machine (default: from Terraform)"
        )
        group.add_argument(
            "--sessions-table", help="with --aws: the sessions table (default: from Terraform)"
        )
    add_endpoint_argument(group)


@contextmanager
def resolve(
    args: argparse.Namespace,
    *,
    announce: Callable[[str], None] = print,
    start_stack: bool = False,
    stack_options: dict[str, Any] | None = None,
    lambda_only: bool = False,
    outputs: dict[str, Any] | None = None,
) -> Iterator[Target]:
    """The target the arguments name (see the module doc).

    `start_stack`: with no local stack running (and no explicit --endpoint), start one in this process
    for the duration (`stack_options` go to its EmbeddedStack) instead of failing. `lambda_only`: on AWS
    only the Lambdas are used (no state machine or table needed or checked). `outputs`: Terraform's
    outputs when the caller has read them already (`terraform_outputs`), so they are read once.
    """
    if getattr(args, "aws", False):
        yield _aws_target(args, lambda_only=lambda_only, outputs=outputs)
        return
    endpoint = local_endpoint(args)
    local = local_target(endpoint)
    if local is not None:
        yield local
        return
    if getattr(args, "endpoint", None) or not start_stack:
        raise TargetError(no_stack_at(endpoint))
    from scheduling_tooling.local.stack import EmbeddedStack

    announce(
        f"no local stack at {endpoint}: started an empty one in this process for this command "
        "(`scheduling local up` keeps one running)"
    )
    with EmbeddedStack(**(stack_options or {})) as stack:
        resources = stack.resources
        yield Target(
            kind="embedded",
            region=resources.region,
            state_machine_arn=stack.state_machine_arn,
            tables={key: resources.name(table["name"]) for key, table in resources.spec["tables"].items()},
            endpoint_url=None,
            profile=None,
            lambda_url=stack.lambdas.url,
            simulator_url=stack.simulator.url,
            stack=stack,
        )


def no_stack_at(endpoint: str) -> str:
    return f"no local stack answers at {endpoint} (start one with `scheduling local up`, or use --aws)"


def local_target(endpoint: str) -> Target | None:
    """The local stack at `endpoint`, as its /_local/info describes it; None when nothing listens.
    A TargetError when something else answers there."""
    from scheduling_tooling.local import discovery

    try:
        info = discovery.read_info(endpoint)
    except discovery.NotALocalStack as error:
        raise TargetError(str(error)) from None
    if info is None:
        return None
    return Target(
        kind="local",
        region=info.region,
        state_machine_arn=info.state_machine_arn,
        tables=dict(info.tables),
        endpoint_url=endpoint.rstrip("/"),
        profile=None,
        lambda_url=info.lambda_endpoint,
        simulator_url=info.pf360_simulator,
    )


def _aws_target(args: argparse.Namespace, *, lambda_only: bool, outputs: dict[str, Any] | None) -> Target:
    given_arn = getattr(args, "state_machine_arn", None)
    given_table = getattr(args, "sessions_table", None)
    if outputs is None:
        # Terraform is only needed for what the options do not give.
        needed = not args.region if lambda_only else not (given_arn and given_table)
        outputs = _outputs_or_none(args.terraform_dir, required=not lambda_only) if needed else {}
    arn = "" if lambda_only else (given_arn or outputs.get("state_machine_arn") or "")
    tables = dict(outputs.get("table_names") or {})
    if given_table:
        tables["sessions"] = given_table
    if not lambda_only and (not arn or "sessions" not in tables):
        raise TargetError(
            f"no state machine or sessions table: give --state-machine-arn and --sessions-table, "
            f"or run where `terraform output -json` names them (--terraform-dir, now {args.terraform_dir})"
        )
    # An ARN names its own region: it wins over the shell's default, only --region overrides it.
    arn_region = arn.split(":")[3] if arn.count(":") >= 6 else ""
    region = args.region or arn_region or outputs.get("region") or configured_region(args.profile)
    if not region:
        raise TargetError("no AWS region: give --region or configure one (AWS_REGION, ~/.aws/config)")
    if arn_region and arn_region != region:
        raise TargetError(f"wrong region: the state machine is in {arn_region}, not {region} (--region)")
    target = Target(
        kind="aws",
        region=str(region),
        state_machine_arn=arn,
        tables=tables,
        endpoint_url=None,
        profile=args.profile,
        outputs=outputs,
    )
    check(target)
    return target


def _outputs_or_none(directory: Path, *, required: bool) -> dict[str, Any]:
    try:
        return terraform_outputs(directory)
    except TargetError:
        if required:
            raise
        return {}


def check(target: Target) -> None:
    """One cheap call that proves credentials and region (and the state machine, when the target has
    one), with a one-line error; it fails fast (CHECK_CONFIG), unlike the commands' own calls."""
    try:
        if target.state_machine_arn:
            client = target.client("stepfunctions", config=CHECK_CONFIG)
            client.describe_state_machine(stateMachineArn=target.state_machine_arn)
        else:
            target.client("sts", config=CHECK_CONFIG).get_caller_identity()
    except Exception as error:
        raise TargetError(explain(error, target)) from error


def explain(error: BaseException, target: Target | None = None) -> str:
    """One line a user can act on, for an error from a call to the target."""
    where = f" ({target.describe()})" if target else ""
    if isinstance(error, TargetError):
        return str(error)
    if isinstance(error, CREDENTIAL_ERRORS):
        return f"no usable AWS credentials{where}: {error} (aws configure / aws sso login / --profile)"
    if isinstance(error, ProfileNotFound):
        return f"unknown AWS profile: {error}"
    if isinstance(error, NoRegionError):
        return "no AWS region: give --region or configure one"
    if isinstance(error, EndpointConnectionError):
        if target is not None and target.kind == "local":
            return no_stack_at(str(target.endpoint_url))
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
    """`terraform output -json` in `directory` as name -> value: the one reader of Terraform's outputs.

    Keeps only what is safe to hold: outputs not marked sensitive (-json prints those in clear) whose
    value is a string or a map of strings (names, ARNs, the region). A one-line TargetError when the
    outputs cannot be read."""
    if shutil.which("terraform") is None:
        raise TargetError("terraform is not installed: give the names as options")
    if not directory.is_dir():
        raise TargetError(f"no Terraform directory {directory} (--terraform-dir)")
    try:
        done = subprocess.run(  # noqa: S603 - the terraform binary with our own arguments
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
    return {
        name: entry["value"]
        for name, entry in outputs.items()
        if isinstance(entry, dict) and not entry.get("sensitive") and _plain_value(entry.get("value"))
    }


def _plain_value(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())


def configured_region(profile: str | None) -> str | None:
    """The region the AWS config gives (AWS_REGION, the profile's); None when it names none."""
    try:
        region = boto3.Session(profile_name=profile).region_name
        return str(region) if region else None
    except ProfileNotFound as error:
        raise TargetError(f"unknown AWS profile {profile!r}") from error
