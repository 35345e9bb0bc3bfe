# statemachines/resources.json is the one map of names the local stack reads too.
locals {
  resources = jsondecode(file("${path.module}/../statemachines/resources.json"))
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  tables = {
    for key, table in local.resources.tables : key => merge(table, { name = "${var.name_prefix}${table.name}" })
    if !try(table.mock_only, false) || var.use_mock_api
  }
}
