# One role per Lambda, least privilege. What the code calls is granted by `lambda_grants` below, each
# statement to the kinds of Lambda whose code makes the call and only in the settings that make it;
# tests/infra/test_terraform_stack.py derives the calls from the code's boto3 use and checks that these
# grants cover them and nothing more. DynamoDB and Secrets Manager use the stack key on the caller's
# behalf through the key policy (kms.tf), so no role needs KMS rights for them.

locals {
  caller_tokens = !var.use_mock_api && var.pf360_auth_mode == "caller" # steps read the customer's token
  service_token = !var.use_mock_api && var.pf360_auth_mode == "service"
  sessions_arn  = aws_dynamodb_table.this["sessions"].arn

  lambda_grants = [
    {
      sid       = "ReadKeptToken" # session_store/tokens.py fetch
      kinds     = ["step"]
      enabled   = local.caller_tokens
      actions   = ["dynamodb:GetItem"]
      resources = [local.sessions_arn]
    },
    {
      sid       = "DecryptKeptToken"
      kinds     = ["step"]
      enabled   = local.caller_tokens
      actions   = ["kms:Decrypt"]
      resources = [aws_kms_key.stack.arn]
      conditions = [{ # only ciphertexts sealed with a session id (the tokens), not the key's other data
        test     = "ForAnyValue:StringEquals"
        variable = "kms:EncryptionContextKeys"
        values   = ["session_id"]
      }]
    },
    {
      sid       = "KeepToken" # session_store/tokens.py keep
      kinds     = ["agent"]
      enabled   = local.caller_tokens
      actions   = ["kms:Encrypt"]
      resources = [aws_kms_key.stack.arn]
      conditions = [{ # only ciphertexts sealed with a session id (the tokens), not the key's other data
        test     = "ForAnyValue:StringEquals"
        variable = "kms:EncryptionContextKeys"
        values   = ["session_id"]
      }]
    },
    {
      sid       = "Sessions" # session_store/store.py, tokens.py keep
      kinds     = ["agent"]
      enabled   = true
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = [local.sessions_arn]
    },
    {
      sid       = "Idempotency" # Powertools' DynamoDBPersistenceLayer
      kinds     = ["agent"]
      enabled   = true
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [aws_dynamodb_table.this["idempotency"].arn]
    },
    {
      sid       = "StartBooking" # booking_bridge/bridge.py
      kinds     = ["agent"]
      enabled   = true
      actions   = ["states:StartExecution"]
      resources = [local.state_machine_arn]
    },
    {
      # SendTask* take no resource-level permission (IAM's Step Functions reference lists no resource
      # type for them): the task token, which only the waiting execution wrote, is the authorisation.
      sid       = "ResumeBooking" # booking_bridge/bridge.py
      kinds     = ["agent"]
      enabled   = true
      actions   = ["states:SendTaskSuccess", "states:SendTaskFailure"]
      resources = ["*"]
    },
    {
      sid       = "PF360ServiceCredential" # pf360_client/credentials.py, PF360_AUTH_MODE=service
      kinds     = ["step", "agent"]
      enabled   = local.service_token
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.pf360.arn]
    },
    {
      sid       = "MockPF360State" # pf360_client/fake/shared.py, USE_MOCK_API=true
      kinds     = ["step", "agent"]
      enabled   = var.use_mock_api
      actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources = [for key, table in aws_dynamodb_table.this : table.arn if key == "mock_pf360"]
    },
  ]
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "lambda" {
  for_each           = local.lambdas
  name               = each.value.name
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "lambda" {
  #checkov:skip=CKV_AWS_356:Only the X-Ray statement takes "*": PutTraceSegments and PutTelemetryRecords support no resource-level permissions.
  for_each = local.lambdas

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda[each.key].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions for these actions
  }

  dynamic "statement" {
    for_each = [for grant in local.lambda_grants : grant if grant.enabled && contains(grant.kinds, each.value.kind)]
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = try(statement.value.conditions, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  for_each = local.lambdas
  name     = "least-privilege"
  role     = aws_iam_role.lambda[each.key].id
  policy   = data.aws_iam_policy_document.lambda[each.key].json
}
