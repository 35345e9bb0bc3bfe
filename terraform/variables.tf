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
    condition     = can(regex("^[a-z0-9-]{0,16}$", var.name_prefix))
    error_message = "name_prefix may hold up to 16 lowercase letters, digits and dashes."
  }
}

variable "use_mock_api" {
  type        = bool
  description = "USE_MOCK_API: the in-process fake PF360 (its state shared through a mock-only table) instead of the real API."
  default     = true
}

variable "enable_real_confirm" {
  type        = bool
  description = "ENABLE_REAL_CONFIRM: send confirms (bookings, reschedules) to the real PF360."
  default     = false
}

variable "enable_real_cancel" {
  type        = bool
  description = "ENABLE_REAL_CANCEL: send cancels (and cancel-reschedule, which cancels) to the real PF360."
  default     = false
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
