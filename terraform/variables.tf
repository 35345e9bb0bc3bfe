variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "us-east-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name, e.g. us-east-1."
  }
}

variable "environment" {
  type        = string
  description = "Deployment environment; also PF360's (API_ENVIRONMENT): dev, qa, uat, staging or prod."
  validation {
    condition     = contains(["dev", "qa", "uat", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, qa, uat, staging, prod."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (the local stack's Resources.prefix), e.g. \"dev-\"."
  default     = ""
  validation {
    condition     = can(regex("^([a-z0-9]+-)*$", var.name_prefix))
    error_message = "name_prefix is empty or words of lowercase letters and digits, each followed by one dash (e.g. \"dev-\"): Bedrock agent names allow no leading or double dash."
  }
  validation {
    condition     = length(var.name_prefix) <= 16
    error_message = "name_prefix may be up to 16 characters."
  }
}

variable "use_mock_api" {
  type        = bool
  description = "USE_MOCK_API: the in-process fake PF360 (its state shared through a mock-only table) instead of the real API."
  default     = true
  nullable    = false
  validation {
    condition     = !(var.use_mock_api && var.environment == "prod")
    error_message = "use_mock_api cannot be true in prod: customers there must reach the real PF360."
  }
}

variable "enable_real_confirm" {
  type        = bool
  description = "ENABLE_REAL_CONFIRM: send confirms (bookings, reschedules) to the real PF360."
  default     = false
  nullable    = false
  validation {
    condition     = !(var.enable_real_confirm && var.use_mock_api)
    error_message = "enable_real_confirm needs use_mock_api = false (the mock has no real PF360 to write to)."
  }
}

variable "enable_real_cancel" {
  type        = bool
  description = "ENABLE_REAL_CANCEL: send cancels (and cancel-reschedule, which cancels) to the real PF360."
  default     = false
  nullable    = false
  validation {
    condition     = !var.enable_real_cancel || var.enable_real_confirm
    error_message = "enable_real_cancel needs enable_real_confirm: the rollout turns on real confirms first (a reschedule cancels and then books)."
  }
}

variable "pf360_auth_mode" {
  type        = string
  description = "PF360_AUTH_MODE: caller (the customer's own token, from the session) or service (the Secrets Manager credential)."
  default     = "caller"
  validation {
    condition     = contains(["caller", "service"], var.pf360_auth_mode)
    error_message = "pf360_auth_mode must be caller or service."
  }
}

variable "session_timeout_seconds" {
  type        = number
  description = "SESSION_TIMEOUT_SECONDS: how long a wait for the customer lasts (the session TTL)."
  default     = 1800
  validation {
    condition     = var.session_timeout_seconds >= 60 && var.session_timeout_seconds <= 86400 && floor(var.session_timeout_seconds) == var.session_timeout_seconds
    error_message = "session_timeout_seconds must be a whole number from 60 to 86400."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the Lambda and state machine log groups, in days."
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "kms_deletion_window_days" {
  type        = number
  description = "Waiting period before a scheduled deletion of the stack's KMS key."
  default     = 30
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be from 7 to 30."
  }
}

variable "api_base_url" {
  type        = string
  description = "API_BASE_URL: overrides the PF360 base URL that environment selects; empty keeps PF360's own (PF360_API.md section 1)."
  default     = ""
  validation {
    condition     = var.api_base_url == "" || can(regex("^https://[^/\\s]+(/\\S*)?$", var.api_base_url))
    error_message = "api_base_url must be empty or an https:// URL."
  }
}

variable "lambda_architecture" {
  type        = string
  description = "Instruction set of every Lambda and the layer; build the packages for the same one (make package ARCH=...)."
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of every Lambda, in MB (CPU grows with it; cold starts shrink)."
  default     = 512
  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number from 128 to 10240."
  }
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Reserved concurrency of each Lambda; -1 reserves none (new accounts, whose whole limit may be 10)."
  default     = -1
  validation {
    condition     = var.lambda_reserved_concurrency == -1 || (var.lambda_reserved_concurrency >= 1 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency)
    error_message = "lambda_reserved_concurrency must be -1 (none) or a whole number from 1."
  }
}

variable "package_dir" {
  type        = string
  description = "Folder of the zips `make package` builds (layer.zip, <function>.zip); relative paths are from terraform/."
  default     = "../dist"
  validation {
    condition     = length(trimspace(var.package_dir)) > 0
    error_message = "package_dir must name a folder."
  }
}

variable "state_machine_log_execution_data" {
  type        = bool
  description = "Log each state's input and output too. Off by default: histories carry PF360 request ids."
  default     = false
  nullable    = false
  validation {
    condition     = !(var.state_machine_log_execution_data && var.environment == "prod")
    error_message = "state_machine_log_execution_data stays false in prod: state inputs and outputs carry PF360 request ids."
  }
}

variable "foundation_model" {
  type        = string
  description = "Bedrock foundation model (id) of the supervisor and its collaborators; it must be enabled in the account and region."
  default     = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  validation {
    condition     = can(regex("^[a-z0-9-]+\\.[A-Za-z0-9.:_-]+$", var.foundation_model)) && !can(regex("^(us|eu|apac|us-gov|global)\\.", var.foundation_model))
    error_message = "foundation_model must be a foundation-model id such as anthropic.claude-3-5-sonnet-20240620-v1:0; an inference profile (us.anthropic...) is not supported: the agents' roles are granted the foundation model only."
  }
}

variable "guardrail_prompt_attack_strength" {
  type        = string
  description = "Strength of the Bedrock guardrail's prompt-attack filter on customer input: LOW, MEDIUM or HIGH."
  default     = "HIGH"
  validation {
    condition     = contains(["LOW", "MEDIUM", "HIGH"], var.guardrail_prompt_attack_strength)
    error_message = "guardrail_prompt_attack_strength must be LOW, MEDIUM or HIGH."
  }
}

variable "agent_idle_session_ttl_seconds" {
  type        = number
  description = "How long Bedrock keeps an idle conversation, in seconds; at least session_timeout_seconds, so the agent still remembers a booking that waits for the customer."
  default     = 1800
  validation {
    condition     = var.agent_idle_session_ttl_seconds >= min(var.session_timeout_seconds, 3600) && var.agent_idle_session_ttl_seconds <= 3600
    error_message = "agent_idle_session_ttl_seconds must be from session_timeout_seconds (or 3600 if that is longer) to 3600."
  }
}

variable "alarm_email" {
  type        = string
  description = "Address subscribed to the alarm topic; empty subscribes no one (add your own subscription)."
  default     = ""
  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an e-mail address."
  }
}

variable "pf360_error_rate_alarm_percent" {
  type        = number
  description = "Alarm when more than this share of PF360 calls fail over 5 minutes, in percent."
  default     = 5
  validation {
    condition     = var.pf360_error_rate_alarm_percent > 0 && var.pf360_error_rate_alarm_percent <= 100
    error_message = "pf360_error_rate_alarm_percent must be above 0 and at most 100."
  }
}

variable "pf360_error_rate_min_calls" {
  type        = number
  description = "The PF360 error-rate alarm waits for at least this many calls in its 5 minutes, so one failure on a quiet night pages no one."
  default     = 20
  validation {
    condition     = var.pf360_error_rate_min_calls >= 1 && floor(var.pf360_error_rate_min_calls) == var.pf360_error_rate_min_calls
    error_message = "pf360_error_rate_min_calls must be a whole number from 1."
  }
}
