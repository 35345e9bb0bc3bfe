"""Drive one booking through `scheduling local up` with plain boto3 (run in another shell after
exporting the variables it printed). It does what the agent handlers do: create the session item with
the customer's PF360 token sealed by KMS (the step Lambdas call PF360 with it), start the execution,
read the offers from the item, answer with SendTaskSuccess."""

import base64
import json
import os
import time
import urllib.request
import uuid

import boto3

table = os.environ["DYNAMODB_TABLE_NAME"]
machine = os.environ["STATE_MACHINE_ARN"]
ddb, sfn = boto3.client("dynamodb"), boto3.client("stepfunctions")  # AWS_ENDPOINT_URL points at the stack
session_id, execution = f"readme-{uuid.uuid4().hex[:8]}", f"schedule-12345-{uuid.uuid4().hex[:8]}"

# The customer signs in (the local simulator plays PF360's sign-in); their token is kept sealed.
sign_in = urllib.request.Request(  # noqa: S310 - the local simulator's http URL
    os.environ["PF360_SIMULATOR_URL"] + "/_sim/tokens",
    data=json.dumps({"client_id": "09PF05VD", "customer_id": "1645975"}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(sign_in) as answer:  # noqa: S310 - the local simulator's URL
    token = json.loads(answer.read())["token"]
sealed = boto3.client("kms").encrypt(
    KeyId=os.environ["SESSION_TOKEN_KEY_ID"],
    Plaintext=token.encode(),
    EncryptionContext={"session_id": session_id},
)["CiphertextBlob"]

ddb.put_item(
    TableName=table,
    Item={
        "caller_token": {"S": base64.b64encode(sealed).decode()},
        "session_id": {"S": session_id},
        "customer_id": {"S": "1645975"},
        "client_id": {"S": "09PF05VD"},
        "version": {"N": "1"},
        "step": {"S": "starting"},
        "execution_name": {"S": execution},
        "expires_at": {"N": str(int(time.time()) + 1800)},
    },
)
sfn.start_execution(
    stateMachineArn=machine,
    name=execution,
    input=json.dumps(
        {
            "session_id": session_id,
            "client_id": "09PF05VD",
            "customer_id": "1645975",
            "project_id": "12345",
            "mode": "schedule",
            "timeout_seconds": 1800,
        }
    ),
)


def wait_for(step_from: str) -> dict:
    for _ in range(500):
        item = ddb.get_item(TableName=table, Key={"session_id": {"S": session_id}}, ConsistentRead=True)[
            "Item"
        ]
        if item["step"]["S"] != step_from:
            return item
        time.sleep(0.02)
    raise TimeoutError(step_from)


item = wait_for("starting")
dates = json.loads(item["offered_dates"]["S"])
print("offered dates:", ", ".join(dates[:5]), "...")
sfn.send_task_success(taskToken=item["task_token"]["S"], output=json.dumps({"date": dates[0]}))
item = wait_for("awaiting_date")
slots = json.loads(item["offered_slots"]["S"])
print(f"slots on {item['slots_date']['S']}:", ", ".join(slots))
sfn.send_task_success(taskToken=item["task_token"]["S"], output=json.dumps({"slot": slots[0]}))
item = wait_for("awaiting_slot")
print(
    "outcome:",
    item["step"]["S"],
    item.get("confirmation_number", {}).get("S"),
    item.get("booked_date", {}).get("S"),
    item.get("booked_time", {}).get("S"),
)
