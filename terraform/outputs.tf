# What the ops commands (`scheduling smoke`, the AWS CLI lines in the README) and a front end need.
# Names and ids only: no secret value, no token.

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "environment" {
  description = "Deployment environment (also PF360's API_ENVIRONMENT)."
  value       = var.environment
}

output "agent_id" {
  description = "Id of the supervisor Bedrock agent, the one a front end talks to (InvokeAgent agentId)."
  value       = aws_bedrockagent_agent.supervisor.agent_id
}

output "agent_alias_id" {
  description = "Alias id of the supervisor agent (InvokeAgent agentAliasId); it follows the prepared version."
  value       = aws_bedrockagent_agent_alias.supervisor.agent_alias_id
}

output "agent_alias_arn" {
  description = "ARN of the supervisor's alias, for a front end's bedrock:InvokeAgent permission."
  value       = aws_bedrockagent_agent_alias.supervisor.agent_alias_arn
}

output "state_machine_arn" {
  description = "ARN of the booking state machine (aws stepfunctions list-executions --state-machine-arn ...)."
  value       = aws_sfn_state_machine.booking.arn
}

output "state_machine_name" {
  description = "Name of the booking state machine."
  value       = aws_sfn_state_machine.booking.name
}

output "table_names" {
  description = "DynamoDB table names by key of statemachines/resources.json (sessions, idempotency; mock_pf360 in mock mode)."
  value       = { for key, table in aws_dynamodb_table.this : key => table.name }
}

output "lambda_function_names" {
  description = "Lambda function names by key of statemachines/resources.json (steps and action-group handlers)."
  value       = { for key, fn in aws_lambda_function.fn : key => fn.function_name }
}

output "lambda_log_group_names" {
  description = "CloudWatch log group of each Lambda, by key (aws logs tail <name> --follow)."
  value       = { for key, group in aws_cloudwatch_log_group.lambda : key => group.name }
}

output "state_machine_log_group_name" {
  description = "CloudWatch log group of the state machine's execution events."
  value       = aws_cloudwatch_log_group.state_machine.name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe on-call to it (alarm_email does one e-mail)."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the stack."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "pf360_secret_name" {
  description = "Name of the Secrets Manager secret for the PF360 service credential (set its value with put-secret-value; never output here)."
  value       = aws_secretsmanager_secret.pf360.name
}

output "kms_key_alias" {
  description = "Alias of the stack's KMS key (tables, logs, secret, alarm topic, session tokens)."
  value       = aws_kms_alias.session_tokens.name
}
