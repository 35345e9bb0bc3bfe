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

# 11 functions x 10 = 110 reserved; AWS keeps 100 of the account's limit unreserved, so ask for a
# limit above 210 first (a new account's may be 10).
lambda_reserved_concurrency = 10

# Longer history for incidents and audits.
log_retention_days = 90

# Who gets paged; AWS mails a confirmation link that must be clicked.
# alarm_email = "oncall@example.com"
