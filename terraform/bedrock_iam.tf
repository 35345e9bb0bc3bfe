# One service role per Bedrock agent (bedrock.tf). Bedrock may assume it only for this account's
# agents; each role may invoke the one foundation model, apply the one guardrail and use the stack key
# through Bedrock (agents and guardrail are encrypted with it). The supervisor may also reach its
# collaborators, through their aliases only.

locals {
  agent_keys = toset(concat(["supervisor"], keys(local.agent_lambdas)))
}

data "aws_iam_policy_document" "agent_trust" {
  statement {
    sid     = "BedrockAgentsOfThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
    condition {
      # The agents' ids are not known before their roles exist: any agent of this account and region.
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${var.region}:${local.account}:agent/*"]
    }
  }
}

resource "aws_iam_role" "agent" {
  for_each = local.agent_keys

  name               = "${var.name_prefix}pf360-${each.key}-bedrock-agent"
  description        = "Service role of the PF360 ${each.key} Bedrock agent"
  assume_role_policy = data.aws_iam_policy_document.agent_trust.json
}

data "aws_iam_policy_document" "agent" {
  statement {
    sid       = "InvokeFoundationModel"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.agent_model_arn]
  }
  statement {
    sid       = "ApplyGuardrail"
    actions   = ["bedrock:ApplyGuardrail"]
    resources = [aws_bedrock_guardrail.this.guardrail_arn]
  }
  statement {
    sid       = "StackKeyThroughBedrock"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.stack.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["bedrock.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "agent" {
  for_each = local.agent_keys

  name   = "pf360-${each.key}-agent"
  role   = aws_iam_role.agent[each.key].id
  policy = data.aws_iam_policy_document.agent.json
}

# A separate policy: it names the collaborators' aliases, which need the roles above first.
data "aws_iam_policy_document" "supervisor_collaborators" {
  statement {
    sid       = "InvokeCollaborators"
    actions   = ["bedrock:GetAgentAlias", "bedrock:InvokeAgent"]
    resources = [for alias in aws_bedrockagent_agent_alias.collaborator : alias.agent_alias_arn]
  }
}

resource "aws_iam_role_policy" "supervisor_collaborators" {
  name   = "pf360-supervisor-collaborators"
  role   = aws_iam_role.agent["supervisor"].id
  policy = data.aws_iam_policy_document.supervisor_collaborators.json
}
