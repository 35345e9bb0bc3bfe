# `make infra-check`: the whole stack planned and applied against a mocked AWS provider, once per
# envs/*.tfvars (terraform test -var-file=...). It catches what the structure tests cannot: types,
# for_each keys, references, cycles, templatefile and jsonencode. Mocked values stand in for what
# only AWS knows (ARNs, ids); nothing is created.
mock_provider "aws" {
  mock_resource "aws_bedrock_guardrail" {
    defaults = { guardrail_arn = "arn:aws:bedrock:us-east-1:123456789012:guardrail/g", guardrail_id = "g" }
  }
  mock_resource "aws_bedrockagent_agent" {
    defaults = { agent_arn = "arn:aws:bedrock:us-east-1:123456789012:agent/AGENT", agent_id = "AGENT" }
  }
  mock_resource "aws_bedrockagent_agent_alias" {
    defaults = { agent_alias_arn = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT/ALIAS", agent_alias_id = "ALIAS" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/k" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:alarms" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:g" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/r" }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = { arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:layer:l:1" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s" }
  }
  mock_resource "aws_kms_alias" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:alias/a" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}" }
  }
  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "123456789012" }
  }
  override_data {
    target = data.aws_partition.current
    values = { partition = "aws" }
  }
}

variables {
  package_dir = "tests/fixture-dist" # empty stand-ins for `make package`'s zips, one per function
}

run "stack" {
  command = apply

  assert {
    condition     = length(aws_lambda_function.fn) == length(local.resources.functions) + length(local.resources.agent_functions)
    error_message = "every function of statemachines/resources.json has one Lambda"
  }
  assert {
    condition     = can(jsondecode(aws_sfn_state_machine.booking.definition)) && !strcontains(aws_sfn_state_machine.booking.definition, "$${")
    error_message = "the rendered ASL is JSON with every placeholder filled"
  }
  assert {
    condition     = contains(keys(aws_dynamodb_table.this), "mock_pf360") == var.use_mock_api
    error_message = "the fake PF360's shared-state table exists exactly where use_mock_api is true"
  }
  assert {
    condition     = alltrue([for fn in aws_lambda_function.fn : fn.environment[0].variables["USE_MOCK_API"] == tostring(var.use_mock_api) && fn.environment[0].variables["API_ENVIRONMENT"] == var.environment])
    error_message = "every Lambda gets the environment's mode"
  }
  assert {
    condition     = alltrue([for key, fn in aws_lambda_function.fn : contains(keys(local.agent_lambdas), key) == can(fn.environment[0].variables["STATE_MACHINE_ARN"])])
    error_message = "only the action-group handlers know the state machine"
  }
  assert {
    condition = (
      contains([for g in local.lambda_grants : g.sid if g.enabled], "DecryptKeptToken") == (!var.use_mock_api && var.pf360_auth_mode == "caller") &&
      contains([for g in local.lambda_grants : g.sid if g.enabled], "KeepToken") == (!var.use_mock_api && var.pf360_auth_mode == "caller") &&
      contains([for g in local.lambda_grants : g.sid if g.enabled], "PF360ServiceCredential") == (!var.use_mock_api && var.pf360_auth_mode == "service") &&
      contains([for g in local.lambda_grants : g.sid if g.enabled], "MockPF360State") == var.use_mock_api
    )
    error_message = "each mode's grants, and only those: customer tokens in caller mode, the secret in service mode, the mock table in mock mode"
  }
  assert {
    condition     = length(aws_bedrockagent_agent_action_group.collaborator) == length(local.resources.agent_functions)
    error_message = "one action group per agent function"
  }
}

run "prod_refuses_the_mock" {
  command = plan
  variables {
    environment  = "prod"
    use_mock_api = true
  }
  expect_failures = [var.use_mock_api]
}

run "real_cancel_waits_for_real_confirm" {
  command = plan
  variables {
    use_mock_api        = false
    enable_real_confirm = false
    enable_real_cancel  = true
  }
  expect_failures = [var.enable_real_cancel]
}

run "service_credential" {
  command = apply
  variables {
    use_mock_api    = false
    pf360_auth_mode = "service"
  }
  assert {
    condition     = alltrue([for fn in aws_lambda_function.fn : fn.environment[0].variables["PF360_CREDENTIALS_SECRET"] == aws_secretsmanager_secret.pf360.name])
    error_message = "service mode: every Lambda knows the secret's name (never its value)"
  }
  assert {
    condition     = contains([for g in local.lambda_grants : g.sid if g.enabled], "PF360ServiceCredential") && !contains([for g in local.lambda_grants : g.sid if g.enabled], "KeepToken")
    error_message = "service mode: the secret, and no customer-token grants"
  }
}
