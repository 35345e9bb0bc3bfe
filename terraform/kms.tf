# One customer-managed key for the stack's data at rest (tables, logs, the secret) and for the
# customers' PF360 tokens, which are sealed with the session id as encryption context.
resource "aws_kms_key" "stack" {
  description             = "pf360-scheduling ${var.environment}: tables, logs, secret, session tokens"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "session_tokens" {
  name          = "alias/${var.name_prefix}${local.resources.keys.session_tokens.name}"
  target_key_id = aws_kms_key.stack.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:A key policy's resource "*" is this key alone; each write grant is held to this account by kms:CallerAccount, kms:ViaService, aws:SourceAccount or an encryption-context condition.
  #checkov:skip=CKV_AWS_356:In a key policy "*" is the key the policy is attached to; no narrower resource can be written there.
  #checkov:skip=CKV_AWS_109:kms:* goes to the account root only (AWS's default key policy), which hands key administration to IAM policies in this account.
  # DynamoDB and Secrets Manager use the key on behalf of this account's callers (AWS's documented
  # pattern): the Lambda and state machine roles need no KMS rights for the tables or the secret.
  statement {
    sid       = "ThroughDynamoDBAndSecretsManager"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]
    resources = ["*"] # a key policy's resource is always the key itself
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.region}.amazonaws.com", "secretsmanager.${var.region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # a key policy's resource is always the key itself
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }
  statement {
    sid       = "BedrockAgents" # the agents' conversation data (customer_encryption_key_arn)
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:bedrock:arn"
      values   = ["arn:${local.partition}:bedrock:${var.region}:${local.account}:agent/*"]
    }
  }
  statement {
    sid       = "CloudWatchAlarmsPublish" # alarms publish to the encrypted alarm topic (monitoring.tf)
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${var.region}:${local.account}:alarm:*"]
    }
  }
  statement {
    sid       = "StateMachineLogDelivery" # the state machine's logs, encrypted with this key (Step Functions' data-at-rest guide)
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    } # no condition: the guide's statement has none, and log delivery states no source context here
  }
  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account}:log-group:*"]
    }
  }
}
