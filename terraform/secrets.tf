# The PF360 service credential (PF360_AUTH_MODE=service), created empty: Terraform never holds its
# value. Set it once per environment (README, Deploy):
#   aws secretsmanager put-secret-value --secret-id <output pf360_secret_name> --secret-string '{"token":"..."}'
resource "aws_secretsmanager_secret" "pf360" {
  #checkov:skip=CKV2_AWS_57:PF360 issues and rotates this token; there is no rotation Lambda to run, and the client re-reads the secret after a 401.
  name                    = "${var.name_prefix}pf360-scheduling/pf360-credentials"
  description             = "PF360 service credential as JSON {\"token\": \"<bearer token>\"}; read only when pf360_auth_mode = service"
  kms_key_id              = aws_kms_key.stack.arn
  recovery_window_in_days = var.environment == "prod" ? 30 : 7
}
