# Phases 2 to 4 of the rollout, against PF360's staging environment, one variable at a time. Move
# on only after a quiet day on the alarms (the README's rollout phases).
#   terraform apply -var-file=envs/staging.tfvars

region      = "us-east-1"
environment = "staging"
name_prefix = "staging-"

# Phase 2, real reads: projects, dates, times, notes and status come from PF360. Writes with their
# flag off are answered by a shadow fake (outside prod only), so nothing is booked for real yet.
use_mock_api = false

# Phase 3, real confirm: set to true, plan, apply; watch pf360-error-rate and ExecutionsFailed. A
# reschedule's cancel is still shadowed here, so try new bookings, not reschedules, until phase 4.
enable_real_confirm = false

# Phase 4, real cancel (and reschedule, which cancels): only after phase 3 has run clean.
enable_real_cancel = false

# caller: each customer's own PF360 token, from the session. service: the secret (pf360_secret_name),
# whose value must be set (README) before the first conversation.
pf360_auth_mode = "caller"

log_retention_days = 30

# alarm_email = "scheduling-staging-alerts@example.com"
