# Every Lambda of statemachines/resources.json (steps and action-group handlers) from one block, on the
# shared layer. Zips come from `make package` (dist/). Settings are the names the code's settings
# models read (pf360_client/settings.py, agent_actions/services.py, session_store/tokens.py);
# tests/infra/test_terraform_stack.py checks them against those models.

resource "aws_lambda_layer_version" "shared" {
  layer_name               = "${var.name_prefix}pf360-scheduling-shared"
  description              = "pf360_client, session_store, booking_bridge and the runtime dependencies"
  filename                 = "${local.package_dir}/layer.zip"
  source_code_hash         = filebase64sha256("${local.package_dir}/layer.zip")
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = [var.lambda_architecture]
}

locals {
  # The booking state machine's ARN, spelled out: the agent handlers need it and the state machine
  # needs the step Lambdas, so a reference would make one cycle of the single for_each block.
  state_machine_arn = "arn:${local.partition}:states:${var.region}:${local.account}:stateMachine:${local.state_machine_name}"

  pf360_environment = merge(
    {
      USE_MOCK_API         = tostring(var.use_mock_api)
      API_ENVIRONMENT      = var.environment
      ENABLE_REAL_CONFIRM  = tostring(var.enable_real_confirm)
      ENABLE_REAL_CANCEL   = tostring(var.enable_real_cancel)
      PF360_AUTH_MODE      = var.pf360_auth_mode
      DYNAMODB_TABLE_NAME  = local.tables["sessions"].name
      SESSION_TOKEN_KEY_ID = aws_kms_alias.session_tokens.arn
      POWERTOOLS_LOG_LEVEL = "INFO" # the "pf360 call" line the PF360 alarm counts is INFO
    },
    var.api_base_url == "" ? {} : { API_BASE_URL = var.api_base_url },
    var.pf360_auth_mode == "service" ? { PF360_CREDENTIALS_SECRET = aws_secretsmanager_secret.pf360.name } : {},
    var.use_mock_api ? { PF360_MOCK_STATE_TABLE = local.tables["mock_pf360"].name } : {},
  )

  agent_environment = {
    IDEMPOTENCY_TABLE_NAME  = local.tables["idempotency"].name
    STATE_MACHINE_ARN       = local.state_machine_arn
    SESSION_TIMEOUT_SECONDS = tostring(var.session_timeout_seconds)
  }

  lambda_timeout_seconds = {
    step  = 30 # a PF360 call with its own retries; the ASL retries the step itself
    agent = 30 # Bedrock waits for an action group up to its own limit; answers come within ANSWER_DEADLINE_SECONDS
  }
}

resource "aws_lambda_function" "fn" {
  #checkov:skip=CKV_AWS_116:No dead-letter queue: every invocation is synchronous (Step Functions or Bedrock), and the caller sees and handles the failure.
  #checkov:skip=CKV_AWS_117:No VPC: the functions call PF360's and AWS's public HTTPS endpoints and hold no network-reachable resource.
  #checkov:skip=CKV_AWS_173:The environment holds no secret (names, flags, ARNs), so the AWS-managed key that encrypts it at rest is enough.
  #checkov:skip=CKV_AWS_272:Code signing is not set up; packages are built reproducibly from a commit by `make package`.
  for_each = local.lambdas

  function_name    = each.value.name
  description      = "pf360-scheduling ${each.value.kind}: ${each.key}"
  role             = aws_iam_role.lambda[each.key].arn
  runtime          = "python3.12"
  handler          = each.value.handler
  architectures    = [var.lambda_architecture]
  filename         = "${local.package_dir}/${local.resources[each.value.kind == "step" ? "functions" : "agent_functions"][each.key].name}.zip"
  source_code_hash = filebase64sha256("${local.package_dir}/${local.resources[each.value.kind == "step" ? "functions" : "agent_functions"][each.key].name}.zip")
  layers           = [aws_lambda_layer_version.shared.arn]
  memory_size      = var.lambda_memory_mb
  timeout          = local.lambda_timeout_seconds[each.value.kind]

  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    # Service names and the metrics namespace are set in the code (Logger, Metrics), not here.
    variables = merge(local.pf360_environment, each.value.kind == "agent" ? local.agent_environment : {})
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text" # Powertools writes each line as JSON itself
    log_group  = aws_cloudwatch_log_group.lambda[each.key].name
  }

  depends_on = [aws_iam_role_policy.lambda]
}

resource "aws_cloudwatch_log_group" "lambda" {
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days per environment; the logs carry session ids and PF360 request ids, so they are kept no longer than operations need.
  for_each          = local.lambdas
  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.stack.arn
}
