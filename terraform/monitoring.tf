# Alarms to one KMS-encrypted SNS topic, PF360 call metrics from the client's log line, and a dashboard.
# Every alarm also sends OK, so a page is followed by its all-clear.

locals {
  # The handlers' EMF metrics (functions/agent_actions/observability.py) and the log-derived ones below
  # share this namespace; EMF metrics carry the Powertools "service" dimension.
  metrics_namespace = "PF360Scheduling"
  emf_service       = "agent-actions"
  alarm_period      = 300
  alarm_actions     = [aws_sns_topic.alarms.arn]

  state_machine_alarms = {
    ExecutionsFailed   = "A booking ended in a Fail state (failed, escalated, or its outcome not recorded): a customer did not get what they asked for. Open the execution's history."
    ExecutionsTimedOut = "An execution hit the machine's overall timeout (each customer wait has its own and ends as expired, not here). Open the execution's history."
    ExecutionThrottled = "Step Functions throttled state transitions: bookings stall. Check the account's Step Functions quotas."
    # The code never stops an execution: an abort is a person's, and it skips the put-back of a
    # reschedule's released appointment.
    ExecutionsAborted = "Someone stopped an execution: a reschedule stopped mid-way may have left the customer without their old appointment. Check that customer's appointment in PF360."
  }

  lambda_error_alarm = {
    # Action handlers turn every failure into an answer for the agent: any error is a crash.
    agent = { min_invocations = 1, percent = 0 }
    # Steps raise business outcomes (NoSlotsOnDate, ChoiceNotOffered, PF360SlotUnavailable...) on
    # purpose for the ASL to route, and Lambda counts each as an error. A step failing most of its
    # calls is broken (deploy, settings, permissions); PF360 faults and failed bookings have their own alarms.
    step = { min_invocations = 5, percent = 50 }
  }

  # Answers the workflow handles as business outcomes, not PF360 failures (pf360_client/errors.py): a
  # project not found is the customer's word, and with customers' own tokens (caller mode) a refused
  # token means that customer must sign in again. With the service credential, a refused token is ours.
  pf360_business_outcomes = concat(
    ["PF360AlreadyScheduled", "PF360NotSchedulable", "PF360SlotUnavailable", "PF360RequestExpired", "PF360NotFound"],
    var.pf360_auth_mode == "caller" ? ["PF360AuthError"] : [],
  )

  # The client's one line per call (pf360_client/client.py `_call`), as Powertools writes it, over the
  # transport that stands for PF360 here: the fake in mock mode, HTTP otherwise (not the shadow fake
  # answering writes whose flag is off, nor a write refused in prod).
  pf360_transport    = var.use_mock_api ? "mock" : "http"
  pf360_call_pattern = "($.message = \"pf360 call\") && ($.transport = \"${local.pf360_transport}\")"
  pf360_log_metrics = {
    calls = {
      name    = "PF360Calls"
      pattern = "{ ${local.pf360_call_pattern} }"
      value   = "1"
      unit    = "Count"
    }
    failures = {
      name    = "PF360CallFailures"
      pattern = "{ ${local.pf360_call_pattern} && ($.outcome != \"ok\") && ${join(" && ", [for name in local.pf360_business_outcomes : "($.outcome != \"${name}\")"])} }"
      value   = "1"
      unit    = "Count"
    }
    latency = {
      name    = "PF360CallMilliseconds"
      pattern = "{ ${local.pf360_call_pattern} }"
      value   = "$.elapsed_ms"
      unit    = "Milliseconds"
    }
  }
  pf360_log_metric_filters = {
    for pair in setproduct(keys(local.lambdas), keys(local.pf360_log_metrics)) : "${pair[0]}/${pair[1]}" => {
      lambda = pair[0]
      metric = local.pf360_log_metrics[pair[1]]
    }
  }

  # Per table: read and write throttles of the table (index "") and of each of its indexes.
  dynamodb_throttle_metrics = {
    for key, table in local.tables : key => flatten([
      for index in concat([""], keys(table.indexes)) : [
        for metric in ["ReadThrottleEvents", "WriteThrottleEvents"] : { metric = metric, index = index }
      ]
    ])
  }

  emf_metrics = ["BookingsConfirmed", "BookingsCancelled", "BookingsFailed", "BookingsExpired", "ActionInvocations"]
}

# --- the topic -------------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}pf360-scheduling-alarms"
  kms_master_key_id = aws_kms_key.stack.arn # CloudWatch needs kms:GenerateDataKey* and kms:Decrypt on it (kms.tf)
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${var.region}:${local.account}:alarm:*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email" # AWS mails a confirmation link first; nothing arrives until it is clicked
  endpoint  = var.alarm_email
}

# --- Step Functions ----------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "state_machine" {
  for_each = local.state_machine_alarms

  alarm_name          = "${local.state_machine_name}-${each.key}"
  alarm_description   = each.value
  namespace           = "AWS/States"
  metric_name         = each.key
  dimensions          = { StateMachineArn = aws_sfn_state_machine.booking.arn }
  statistic           = "Sum"
  period              = local.alarm_period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching" # no data: no execution ended that way
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# --- Lambda --------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.lambdas

  alarm_name          = "${each.value.name}-errors"
  alarm_description   = each.value.kind == "agent" ? "The ${each.key} action handler crashed or timed out: the agent got no answer. Search its log group for level ERROR." : "The ${each.key} step failed on more than half its calls: a broken deploy, settings or permissions. Search its log group for level ERROR."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.lambda_error_alarm[each.value.kind].percent
  treat_missing_data  = "notBreaching" # no data: the function was not called
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(invocations >= ${local.lambda_error_alarm[each.value.kind].min_invocations}, 100 * errors / invocations, 0)"
    label       = "Errors (% of invocations)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { errors = "Errors", invocations = "Invocations" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/Lambda"
        metric_name = metric_query.value
        dimensions  = { FunctionName = aws_lambda_function.fn[each.key].function_name }
        stat        = "Sum"
        period      = local.alarm_period
      }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.lambdas

  alarm_name          = "${each.value.name}-throttles"
  alarm_description   = "Lambda refused calls to ${each.key} for lack of concurrency: raise lambda_reserved_concurrency or the account's limit."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.fn[each.key].function_name }
  statistic           = "Sum"
  period              = local.alarm_period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching" # Lambda publishes no throttle data when nothing is called
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# --- DynamoDB ------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = local.tables

  alarm_name          = "${aws_dynamodb_table.this[each.key].name}-throttles"
  alarm_description   = "DynamoDB throttled reads or writes of ${each.key} (table or index): on-demand tables throttle on sudden peaks or hot keys. Check the table's metrics by operation."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching" # DynamoDB publishes throttle events only when there are some
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "throttles"
    expression  = "SUM(METRICS())"
    label       = "Throttle events"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.dynamodb_throttle_metrics[each.key]
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = metric_query.value.metric
        dimensions = {
          for name, value in { TableName = aws_dynamodb_table.this[each.key].name, GlobalSecondaryIndexName = metric_query.value.index } :
          name => value if value != ""
        }
        stat   = "Sum"
        period = local.alarm_period
      }
    }
  }
}

# --- PF360 -------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_metric_filter" "pf360" {
  for_each = local.pf360_log_metric_filters

  name           = "${local.lambdas[each.value.lambda].name}-${each.value.metric.name}"
  log_group_name = aws_cloudwatch_log_group.lambda[each.value.lambda].name
  pattern        = each.value.metric.pattern

  metric_transformation {
    name      = each.value.metric.name
    namespace = local.metrics_namespace
    value     = each.value.metric.value
    unit      = each.value.metric.unit
  }
}

resource "aws_cloudwatch_metric_alarm" "pf360_error_rate" {
  alarm_name          = "${var.name_prefix}pf360-error-rate"
  alarm_description   = "More than ${var.pf360_error_rate_alarm_percent}% of PF360 calls failed in 5 minutes (at least ${var.pf360_error_rate_min_calls} calls). Run the dashboard's PF360 calls query: which operation and outcome."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.pf360_error_rate_alarm_percent
  treat_missing_data  = "notBreaching" # no data: no PF360 calls
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(calls >= ${var.pf360_error_rate_min_calls}, 100 * FILL(failures, 0) / calls, 0)" # below the minimum, one failure at night pages no one
    label       = "PF360 failed calls (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { calls = local.pf360_log_metrics.calls.name, failures = local.pf360_log_metrics.failures.name }
    content {
      id = metric_query.key
      metric {
        namespace   = local.metrics_namespace
        metric_name = metric_query.value
        stat        = "Sum"
        period      = local.alarm_period
      }
    }
  }

  depends_on = [aws_cloudwatch_log_metric_filter.pf360]
}

# --- the dashboard -------------------------------------------------------------------------------------

locals {
  all_alarm_arns = concat(
    [for alarm in aws_cloudwatch_metric_alarm.state_machine : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_errors : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_throttles : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.dynamodb_throttles : alarm.arn],
    [aws_cloudwatch_metric_alarm.pf360_error_rate.arn],
  )
  pf360_calls_query = join(" | ", concat(
    [for group in aws_cloudwatch_log_group.lambda : "SOURCE '${group.name}'"],
    [
      "filter message = \"pf360 call\"",
      "stats count(*) as calls, avg(elapsed_ms) as avg_ms, pct(elapsed_ms, 95) as p95_ms by operation, transport, outcome",
      "sort calls desc",
    ],
  ))

  dashboard_widgets = [
    {
      type   = "alarm"
      width  = 24
      height = 4
      properties = {
        title  = "Alarms"
        alarms = local.all_alarm_arns
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "Booking executions"
        region  = var.region
        stat    = "Sum"
        period  = 300
        metrics = [for name in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] : ["AWS/States", name, "StateMachineArn", aws_sfn_state_machine.booking.arn]]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "Booking outcomes and action calls (handlers' EMF)"
        region  = var.region
        stat    = "Sum"
        period  = 300
        metrics = [for name in local.emf_metrics : [local.metrics_namespace, name, "service", local.emf_service]]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "PF360 calls and failures"
        region = var.region
        period = 300
        metrics = [
          [local.metrics_namespace, local.pf360_log_metrics.calls.name, { stat = "Sum" }],
          [local.metrics_namespace, local.pf360_log_metrics.failures.name, { stat = "Sum" }],
          [local.metrics_namespace, local.pf360_log_metrics.latency.name, { stat = "p95", yAxis = "right", label = "p95 ms" }],
        ]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title       = "PF360 error rate (the alarm)"
        region      = var.region
        annotations = { alarms = [aws_cloudwatch_metric_alarm.pf360_error_rate.arn] }
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "Lambda errors"
        region  = var.region
        stat    = "Sum"
        period  = 300
        metrics = [for key, fn in aws_lambda_function.fn : ["AWS/Lambda", "Errors", "FunctionName", fn.function_name, { label = key }]]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "Lambda duration p95 (ms)"
        region  = var.region
        stat    = "p95"
        period  = 300
        metrics = [for key, fn in aws_lambda_function.fn : ["AWS/Lambda", "Duration", "FunctionName", fn.function_name, { label = key }]]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "DynamoDB throttle events"
        region = var.region
        stat   = "Sum"
        period = 300
        metrics = [
          for pair in setproduct(keys(aws_dynamodb_table.this), ["ReadThrottleEvents", "WriteThrottleEvents"]) :
          ["AWS/DynamoDB", pair[1], "TableName", aws_dynamodb_table.this[pair[0]].name, { label = "${pair[0]} ${pair[1]}" }]
        ]
      }
    },
    {
      type   = "log"
      width  = 12
      height = 6
      properties = {
        title  = "PF360 calls by operation and outcome"
        region = var.region
        view   = "table"
        query  = local.pf360_calls_query
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = "${var.name_prefix}pf360-scheduling"
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
