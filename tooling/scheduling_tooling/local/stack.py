"""The embedded local stack: the real ASL on moto's Step Functions engine, DynamoDB and Secrets
Manager from moto, a local Lambda endpoint running our step handlers in-process, and the PF360
simulator. No Docker, no AWS account. Deployed the way Terraform deploys to AWS: same names, same
placeholders (statemachines/resources.json), same table key schema, GSI and TTL.

    with EmbeddedStack(manual_time=True) as stack:   # tests: engine time moves only on stack.advance()
        stack.sfn.start_execution(...)
        stack.advance(1800)                          # every wait for the customer times out

`time_scale` (demos) runs Wait states and retry backoff faster; timeouts stay in real time.

With `serve_api=True` the Step Functions/DynamoDB/Secrets Manager API is also served on a localhost
port (moto's server, inside this process so its engine keeps calling our Lambda endpoint), so other
processes can use the stack through `stack.client_env()`.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import boto3

from scheduling_tooling.local import moto_fixes
from scheduling_tooling.local.clock import CLOCK, RETRY
from scheduling_tooling.local.lambda_endpoint import LambdaEndpoint, LambdaRegistry
from scheduling_tooling.local.lambda_processes import ProcessRegistry
from scheduling_tooling.local.resources import Resources
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, Simulator, SimulatorServer

SECRET_NAME = "pf360/local/credentials"
_FAKE_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}


class EmbeddedStack:
    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        manual_time: bool = False,
        session_timeout_seconds: int = 1800,
        pf360_timeout_seconds: float = 2.0,
        serve_api: bool = False,
        api_port: int = 0,
        lambda_port: int = 0,
        pf360_port: int = 0,
        seed: int = 1645975,
        answer_deadline_seconds: float = 8.0,
        mock_processes: bool = False,
    ) -> None:
        """`mock_processes`: every Lambda function in its own process with USE_MOCK_API=true, as a
        mock deployment on AWS runs (the fake PF360's state shared through DynamoDB); the AWS API is
        then served on localhost for them."""
        self.resources = Resources()
        self.time_scale, self.manual_time = time_scale, manual_time
        self.clock = CLOCK
        self.session_timeout_seconds = session_timeout_seconds
        self.pf360_timeout_seconds = pf360_timeout_seconds
        self.answer_deadline_seconds = answer_deadline_seconds
        self.serve_api, self.api_port = serve_api or mock_processes, api_port
        self.mock_processes = mock_processes
        self.simulator = SimulatorServer(Simulator(seed), port=pf360_port)
        self.registry: LambdaRegistry | ProcessRegistry
        if mock_processes:
            self.registry = ProcessRegistry(
                self.resources.function_names(),
                region=self.resources.region,
                account=self.resources.account,
                environment=self.process_env,
            )
        else:
            self.registry = LambdaRegistry(
                self.resources.function_names(), region=self.resources.region, account=self.resources.account
            )
        self.lambdas = LambdaEndpoint(self.registry, port=lambda_port)
        self._mock: Any = None
        self._api_server: Any = None
        self._saved_env: dict[str, str | None] = {}
        self.state_machine_arn = ""

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> EmbeddedStack:
        from moto import mock_aws

        moto_fixes.apply()
        self.use_own_time()
        # moto logs every caught task error with the whole parsed state; the history has them already.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        self.simulator.start()
        self.lambdas.start()
        self.export_env()
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        self._deploy()
        if self.serve_api:
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per API call
            self._api_server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.api_port, verbose=False)
            self._api_server.start()
            self.api_port = self._api_server.get_host_and_port()[1]
        return self

    def stop(self) -> None:
        if isinstance(self.registry, ProcessRegistry):
            self.registry.stop()
        if self._api_server:
            self._api_server.stop()
        self._stop_executions()
        if self._mock:
            self._mock.stop()
        self.lambdas.stop()
        self.simulator.stop()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __enter__(self) -> EmbeddedStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- time ------------------------------------------------------------------------------------

    def use_own_time(self) -> None:
        """Put the engine clock in this stack's mode (tests sharing a process may have changed it)."""
        if self.manual_time:
            CLOCK.run_manual(instant=(RETRY,))
        else:
            CLOCK.run_scaled(self.time_scale)

    def advance(self, seconds: float) -> None:
        """Move the stack's time forward: the engine's timers, session expiry and the PF360 simulator's
        clock (request ids expire) all see it."""
        self.simulator.simulator.advance_clock(seconds)
        CLOCK.advance(seconds)

    # --- environment ------------------------------------------------------------------------------

    def lambda_env(self) -> dict[str, str]:
        """What the step Lambdas get in their environment (Terraform sets the same names)."""
        return {
            "USE_MOCK_API": "false",
            "API_BASE_URL": self.simulator.url,
            "WEATHER_API_URL": self.simulator.url,
            "API_TIMEOUT": str(self.pf360_timeout_seconds),
            "PF360_AUTH_MODE": "caller",  # every call carries the signed-in customer's token
            "SESSION_TOKEN_KEY_ID": self.resources.key_alias("session_tokens"),
            "PF360_CREDENTIALS_SECRET": SECRET_NAME,  # for PF360_AUTH_MODE=service
            "ENABLE_REAL_CONFIRM": "true",
            "ENABLE_REAL_CANCEL": "true",
            "DYNAMODB_TABLE_NAME": self.resources.table_name,
            "IDEMPOTENCY_TABLE_NAME": self.resources.idempotency_table_name,
            "ANSWER_DEADLINE_SECONDS": str(self.answer_deadline_seconds),
            "STATE_MACHINE_ARN": self.state_machine_arn or self._state_machine_arn(),
            "SESSION_TIMEOUT_SECONDS": str(self.session_timeout_seconds),
            "POWERTOOLS_SERVICE_NAME": "pf360-scheduling",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "PF360Scheduling",
        }

    def process_env(self) -> dict[str, str]:
        """What each function's own process gets with `mock_processes` (mock mode, as deployed)."""
        keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        real_only = ("API_BASE_URL", "WEATHER_API_URL", "ENABLE_REAL_CONFIRM", "ENABLE_REAL_CANCEL")
        settings = {k: v for k, v in self.lambda_env().items() if k not in real_only}
        return {
            **env,
            **_FAKE_AWS,
            **settings,
            "USE_MOCK_API": "true",
            "PF360_MOCK_STATE_TABLE": self.resources.mock_state_table_name,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.api_port}",
            "AWS_ENDPOINT_URL_LAMBDA": self.lambdas.url,
        }

    def export_env(self) -> None:
        """Put the stack's settings into os.environ (this process is where the Lambdas run)."""
        from agent_actions import services
        from booking_steps import runtime

        values = {
            **_FAKE_AWS,
            **self.lambda_env(),
            "AWS_ENDPOINT_URL_LAMBDA": self.lambdas.url,
            "PF360_SIMULATOR_URL": self.simulator.url,  # where tooling signs customers in (sign_in)
        }
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        runtime.reset_client()  # the next call reads these settings, as a cold start would
        services.reset_services(services.Services(services.AgentSettings.from_env(), clock=CLOCK.now))

    def client_env(self) -> dict[str, str]:
        """What another process needs to use this stack (with serve_api=True)."""
        env = {
            **_FAKE_AWS,
            "STATE_MACHINE_ARN": self.state_machine_arn,
            "DYNAMODB_TABLE_NAME": self.resources.table_name,
            "IDEMPOTENCY_TABLE_NAME": self.resources.idempotency_table_name,
            "ANSWER_DEADLINE_SECONDS": str(self.answer_deadline_seconds),
            "PF360_SIMULATOR_URL": self.simulator.url,
            "SESSION_TOKEN_KEY_ID": self.resources.key_alias("session_tokens"),
            "AWS_ENDPOINT_URL_LAMBDA": self.lambdas.url,
        }
        if self._api_server:
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{self.api_port}"
        return env

    # --- customers ----------------------------------------------------------------------------------

    def sign_in(self, client_id: str, customer_id: str) -> str:
        """A customer's PF360 token from the simulator, as PF360's sign-in gives the PF web app."""
        return self.simulator.simulator.issue_token(client_id, customer_id)

    def token_vault(self) -> Any:
        """The session token vault the Lambdas use (for tooling that starts executions itself)."""
        from session_store.tokens import TokenVault

        return TokenVault(
            self.resources.table_name,
            self.resources.key_alias("session_tokens"),
            dynamodb=self.dynamodb,
            kms=boto3.client("kms", region_name=self.resources.region),
        )

    # --- clients ----------------------------------------------------------------------------------

    @property
    def sfn(self) -> Any:
        return boto3.client("stepfunctions", region_name=self.resources.region)

    @property
    def dynamodb(self) -> Any:
        return boto3.client("dynamodb", region_name=self.resources.region)

    # --- deployment -------------------------------------------------------------------------------

    def executions(self) -> list[dict[str, Any]]:
        """Every execution of the booking state machine, newest first (for tests and tooling)."""
        pages = self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn)
        return [e for page in pages for e in page["executions"]]

    def executions_of(self, session_id: str) -> list[dict[str, Any]]:
        """The executions one agent session started (their names end with the session's hash)."""
        from booking_bridge import session_digest

        suffix = "-" + session_digest(session_id)
        return [e for e in self.executions() if e["name"].endswith(suffix)]

    def _state_machine_arn(self) -> str:
        r = self.resources
        return f"arn:aws:states:{r.region}:{r.account}:stateMachine:{r.state_machine_name}"

    def _deploy(self) -> None:
        region = self.resources.region
        boto3.client("secretsmanager", region_name=region).create_secret(
            Name=SECRET_NAME, SecretString=json.dumps({"token": DEFAULT_TOKEN})
        )
        for table in self.resources.spec["tables"].values():
            self._create_table(self.resources.name(table["name"]), table)
        kms = boto3.client("kms", region_name=region)
        for key in self.resources.spec["keys"].values():
            key_id = kms.create_key(Description=key["description"])["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName="alias/" + self.resources.name(key["name"]), TargetKeyId=key_id)
        self.state_machine_arn = self.sfn.create_state_machine(
            name=self.resources.state_machine_name,
            definition=self.resources.definition(),
            roleArn=f"arn:aws:iam::{self.resources.account}:role/{self.resources.state_machine_name}",
            type="STANDARD",
        )["stateMachineArn"]
        os.environ["STATE_MACHINE_ARN"] = self.state_machine_arn

    def _create_table(self, name: str, table: dict[str, Any]) -> None:
        indexes = table["indexes"]
        extra: dict[str, Any] = {}
        if indexes:
            extra["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index,
                    "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, key in indexes.items()
            ]
        self.dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": table["hash_key"], "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": key, "AttributeType": "S"} for key in (table["hash_key"], *indexes.values())
            ],
            **extra,
        )
        if table["ttl_attribute"]:
            self.dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl_attribute"]},
            )

    def _stop_executions(self) -> None:
        """Stop whatever is still running so no worker thread outlives the stack."""
        if not self.state_machine_arn or not self._mock:
            return
        sfn = self.sfn
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.state_machine_arn, statusFilter="RUNNING"
        ):
            for execution in page["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"])
