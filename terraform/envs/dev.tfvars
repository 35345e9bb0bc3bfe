# Phase 1 of the rollout (mock -> real reads -> real confirm -> real cancel -> prod): the in-process
# fake PF360 answers every call, its state shared by all Lambdas through the mock-only table. Nothing
# reaches PF360, so the write flags do nothing here.
#   terraform apply -var-file=envs/dev.tfvars
# Next phase: envs/staging.tfvars.

region      = "us-east-1"
environment = "dev"
name_prefix = "dev-"

use_mock_api        = true
enable_real_confirm = false
enable_real_cancel  = false

log_retention_days = 14
