# Phase 5 of the rollout: PF360's production environment with both writes on, as staging ran last.
# In prod a write whose flag is off is refused honestly (PF360WriteDisabled), never shadowed.
#   terraform apply -var-file=envs/prod.tfvars

region      = "us-east-1"
environment = "prod"
name_prefix = "prod-"

use_mock_api        = false
enable_real_confirm = true
enable_real_cancel  = true
pf360_auth_mode     = "caller"

# Reserved concurrency is also each function's cap: an action handler answers within 8 s, so 50 carry
# about 6 calls a second per handler before Bedrock sees throttles (the throttle alarms say so). 11
# functions x 50 = 550 reserved, and AWS keeps 100 of the account's limit unreserved: ask for a limit
# of at least 650 first (a new account's may be 10). Size it from your peak conversations.
lambda_reserved_concurrency = 50

# Longer history for incidents and audits.
log_retention_days = 90

# Who gets paged; AWS mails a confirmation link that must be clicked.
# alarm_email = "oncall@example.com"
