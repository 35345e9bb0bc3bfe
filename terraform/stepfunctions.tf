# The booking conversation: statemachines/booking-conversation.asl.json through templatefile, with the
# placeholder map the local stack builds too (tooling/scheduling_tooling/local/resources.py): each
# ${<key>_function_arn} is that step Lambda, ${sessions_table_arn} the session table.

locals {
  asl_placeholders = merge(
    { for key, fn in local.resources.functions : "${key}_function_arn" => aws_lambda_function.fn[key].arn },
    { sessions_table_arn = local.sessions_arn },
  )
}

resource "aws_sfn_state_machine" "booking" {
  #checkov:skip=CKV_AWS_285:Execution data (state inputs and outputs) is off by default because it carries PF360 request ids; var.state_machine_log_execution_data turns it on for debugging.
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.state_machine.arn
  definition = templatefile(
    "${path.module}/../statemachines/${local.resources.state_machine.definition}",
    local.asl_placeholders,
  )

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = var.state_machine_log_execution_data
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = aws_kms_key.stack.arn
    kms_data_key_reuse_period_seconds = 300
  }

  depends_on = [aws_iam_role_policy.state_machine]
}

resource "aws_cloudwatch_log_group" "state_machine" {
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days per environment; execution histories carry session ids and PF360 request ids, so they are kept no longer than operations need.
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.stack.arn
}

data "aws_iam_policy_document" "state_machine_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = local.state_machine_name
  assume_role_policy = data.aws_iam_policy_document.state_machine_trust.json
}

data "aws_iam_policy_document" "state_machine" {
  #checkov:skip=CKV_AWS_111:Only the log delivery and X-Ray actions take "*": they support no resource-level permissions.
  #checkov:skip=CKV_AWS_356:Same statements: log delivery and X-Ray actions accept no narrower resource.
  statement {
    sid       = "InvokeSteps"
    actions   = ["lambda:InvokeFunction"]
    resources = flatten([for key in keys(local.resources.functions) : [aws_lambda_function.fn[key].arn, "${aws_lambda_function.fn[key].arn}:*"]])
  }

  statement {
    sid       = "SessionItem" # the Save/Wait states' DynamoDB integrations
    actions   = ["dynamodb:UpdateItem"]
    resources = [local.sessions_arn]
  }

  statement {
    sid       = "ExecutionData" # the state machine's own encryption (encryption_configuration)
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.stack.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:states:stateMachineArn"
      values   = [local.state_machine_arn]
    }
  }

  statement {
    sid       = "EncryptedLogDelivery" # its execution logs under the key (Step Functions' data-at-rest guide)
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.stack.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:SourceArn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account}:*"]
    }
  }

  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]
    resources = ["*"] # log delivery actions take no resource-level permissions
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"] # X-Ray has no resource-level permissions for these actions
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "least-privilege"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}
