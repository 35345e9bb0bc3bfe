# The Bedrock agents (the seed's multi-agent layout): a supervisor that answers small talk and
# out-of-scope requests itself and hands everything else to one of three collaborators, one per
# action-group Lambda of statemachines/resources.json (scheduling, information, notes). Instructions
# are versioned text files in instructions/; each action group's API is the OpenAPI file generated
# from its handler (schemas/agent/<key>.openapi.json). Service roles: bedrock_iam.tf.
#
# Versions: Bedrock snapshots an agent's prepared DRAFT into a new version whenever an alias is created
# or updated without a routing configuration. Each alias's description carries a hash of everything
# its version holds, so an apply that changes an agent updates its alias, which then serves a new
# version built from the freshly prepared DRAFT.

locals {
  agent_model_arn = "arn:${local.partition}:bedrock:${var.region}::foundation-model/${var.foundation_model}"

  # What the supervisor is told about each collaborator: when to hand the conversation over.
  collaboration_instructions = {
    scheduling  = "Use for the customer's list of projects, the dates and times available for an appointment, and booking, rescheduling or cancelling an appointment. Pass the project number, the date or time the customer picked, and whether the customer said yes."
    information = "Use for a project's appointment status and details (installer, store, installation address), the store's business hours and the weather forecast at the installation address. Pass the project number when the conversation has it."
    notes       = "Use to add a note for the installation team, read a project's notes, or ask the office to change a project's installation address. Pass the project number and the customer's words."
  }

  # Associating collaborators one after another: the supervisor can be prepared only once it has
  # collaborators, and an association made while it is preparing fails (provider issue 42256). All but
  # the last are associated without preparing; the last one prepares the supervisor.
  collaborator_keys = sort(keys(local.agent_lambdas))
  last_collaborator = local.collaborator_keys[length(local.collaborator_keys) - 1]
  collaborators = {
    for key in local.collaborator_keys : key => {
      instruction = local.collaboration_instructions[key]
      alias_arn   = aws_bedrockagent_agent_alias.collaborator[key].agent_alias_arn
    }
  }
}

# --- Guardrail: customer input is screened for prompt attacks before any agent reasons about it ------

resource "aws_bedrock_guardrail" "this" {
  name                      = "${var.name_prefix}pf360-scheduling"
  description               = "PF360 scheduling agents: blocks prompt attacks in customer input."
  blocked_input_messaging   = "Sorry, I can't help with that. I can help with your PF360 projects and appointments."
  blocked_outputs_messaging = "Sorry, I can't help with that. I can help with your PF360 projects and appointments."
  kms_key_arn               = aws_kms_key.stack.arn

  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = var.guardrail_prompt_attack_strength
      output_strength = "NONE" # Bedrock accepts only NONE for PROMPT_ATTACK on output
    }
  }
}

resource "aws_bedrock_guardrail_version" "this" {
  guardrail_arn = aws_bedrock_guardrail.this.guardrail_arn
  description   = "Published by Terraform for the PF360 scheduling agents."
  skip_destroy  = true # versions that older agent versions still name stay until the guardrail goes

  lifecycle {
    replace_triggered_by = [aws_bedrock_guardrail.this] # a changed guardrail publishes a new version
  }
}

# --- Collaborators: one agent, one action group and one alias per action-group Lambda -----------------

resource "aws_bedrockagent_agent" "collaborator" {
  for_each = local.agent_lambdas

  agent_name                  = "${var.name_prefix}pf360-${each.key}-agent"
  description                 = "PF360 ${each.key} collaborator of the scheduling supervisor."
  agent_resource_role_arn     = aws_iam_role.agent[each.key].arn
  foundation_model            = var.foundation_model
  instruction                 = trimspace(file("${path.module}/instructions/${each.key}.txt"))
  agent_collaboration         = "DISABLED"
  idle_session_ttl_in_seconds = var.agent_idle_session_ttl_seconds
  customer_encryption_key_arn = aws_kms_key.stack.arn
  prepare_agent               = true
  skip_resource_in_use_check  = true

  guardrail_configuration {
    guardrail_identifier = aws_bedrock_guardrail.this.guardrail_id
    guardrail_version    = aws_bedrock_guardrail_version.this.version
  }

  depends_on = [aws_iam_role_policy.agent] # its grants exist before it is first prepared
}

resource "aws_bedrockagent_agent_action_group" "collaborator" {
  for_each = local.agent_lambdas

  action_group_name          = each.key
  description                = jsondecode(file("${path.module}/../schemas/agent/${each.key}.openapi.json")).info.title
  agent_id                   = aws_bedrockagent_agent.collaborator[each.key].agent_id
  agent_version              = "DRAFT"
  action_group_state         = "ENABLED"
  prepare_agent              = true
  skip_resource_in_use_check = true

  action_group_executor {
    lambda = aws_lambda_function.fn[each.key].arn
  }

  api_schema {
    payload = file("${path.module}/../schemas/agent/${each.key}.openapi.json")
  }
}

resource "aws_bedrockagent_agent_alias" "collaborator" {
  for_each = local.agent_lambdas

  agent_alias_name = "live"
  agent_id         = aws_bedrockagent_agent.collaborator[each.key].agent_id
  # Changes with every input of the version (and waits for the action group's prepare).
  description = "PF360 ${each.key} agent, configuration ${sha256(jsonencode([
    aws_bedrockagent_agent.collaborator[each.key].instruction,
    aws_bedrockagent_agent.collaborator[each.key].foundation_model,
    aws_bedrockagent_agent.collaborator[each.key].idle_session_ttl_in_seconds,
    aws_bedrockagent_agent.collaborator[each.key].guardrail_configuration,
    aws_bedrockagent_agent_action_group.collaborator[each.key].action_group_executor,
    aws_bedrockagent_agent_action_group.collaborator[each.key].api_schema,
  ]))}"

  depends_on = [aws_iam_role_policy.agent]
}

# Bedrock may invoke each action-group Lambda for its own collaborator agent only.
resource "aws_lambda_permission" "agent" {
  for_each = local.agent_lambdas

  statement_id   = "AllowBedrockAgent"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fn[each.key].function_name
  principal      = "bedrock.amazonaws.com"
  source_arn     = aws_bedrockagent_agent.collaborator[each.key].agent_arn
  source_account = local.account
}

# --- Supervisor: routes, answers small talk and out-of-scope requests itself, has no action group -----

resource "aws_bedrockagent_agent" "supervisor" {
  agent_name                  = "${var.name_prefix}pf360-supervisor-agent"
  description                 = "PF360 scheduling assistant: routes to the scheduling, information and notes agents."
  agent_resource_role_arn     = aws_iam_role.agent["supervisor"].arn
  foundation_model            = var.foundation_model
  instruction                 = trimspace(file("${path.module}/instructions/supervisor.txt"))
  agent_collaboration         = "SUPERVISOR"
  idle_session_ttl_in_seconds = var.agent_idle_session_ttl_seconds
  customer_encryption_key_arn = aws_kms_key.stack.arn
  # A supervisor without collaborators cannot be prepared (provider issue 43059); the last
  # collaborator association prepares it, on every change (replace_triggered_by below).
  prepare_agent              = false
  skip_resource_in_use_check = true

  guardrail_configuration {
    guardrail_identifier = aws_bedrock_guardrail.this.guardrail_id
    guardrail_version    = aws_bedrock_guardrail_version.this.version
  }

  depends_on = [aws_iam_role_policy.agent] # its grants exist before it is first prepared
}

resource "aws_bedrockagent_agent_collaborator" "collaborator" {
  for_each = { for key, collaborator in local.collaborators : key => collaborator if key != local.last_collaborator }

  agent_id                   = aws_bedrockagent_agent.supervisor.agent_id
  collaborator_name          = each.key
  collaboration_instruction  = each.value.instruction
  relay_conversation_history = "TO_COLLABORATOR" # the offered dates and the customer's yes travel along
  prepare_agent              = false

  agent_descriptor {
    alias_arn = each.value.alias_arn
  }

  depends_on = [aws_iam_role_policy.supervisor_collaborators] # the supervisor may reach them once linked
}

resource "aws_bedrockagent_agent_collaborator" "last" {
  agent_id                   = aws_bedrockagent_agent.supervisor.agent_id
  collaborator_name          = local.last_collaborator
  collaboration_instruction  = local.collaborators[local.last_collaborator].instruction
  relay_conversation_history = "TO_COLLABORATOR"
  prepare_agent              = true

  agent_descriptor {
    alias_arn = local.collaborators[local.last_collaborator].alias_arn
  }

  depends_on = [aws_bedrockagent_agent_collaborator.collaborator, aws_iam_role_policy.supervisor_collaborators]

  lifecycle {
    # Re-associating it prepares the supervisor again after any change to the supervisor or the others.
    replace_triggered_by = [aws_bedrockagent_agent.supervisor, aws_bedrockagent_agent_collaborator.collaborator]
  }
}

resource "aws_bedrockagent_agent_alias" "supervisor" {
  agent_alias_name = "live"
  agent_id         = aws_bedrockagent_agent.supervisor.agent_id
  # A new association id means the supervisor was prepared again: the alias moves to a new version.
  description = "PF360 supervisor agent, configuration ${sha256(jsonencode([
    aws_bedrockagent_agent.supervisor.instruction,
    aws_bedrockagent_agent.supervisor.foundation_model,
    aws_bedrockagent_agent.supervisor.idle_session_ttl_in_seconds,
    aws_bedrockagent_agent.supervisor.guardrail_configuration,
    aws_bedrockagent_agent_collaborator.last.id,
    [for collaborator in aws_bedrockagent_agent_collaborator.collaborator : collaborator.id],
  ]))}"

  depends_on = [aws_iam_role_policy.agent, aws_iam_role_policy.supervisor_collaborators]
}
