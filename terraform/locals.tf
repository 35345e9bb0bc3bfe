# statemachines/resources.json is the one map of names the local stack reads too.
locals {
  resources = jsondecode(file("${path.module}/../statemachines/resources.json"))
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  tables = {
    for key, table in local.resources.tables : key => merge(table, { name = "${var.name_prefix}${table.name}" })
    if !try(table.mock_only, false) || var.use_mock_api
  }

  # Every Lambda: the state machine's steps (kind "step") and the action groups' handlers ("agent").
  lambdas = merge(
    { for key, fn in local.resources.functions : key => merge(fn, { kind = "step", name = "${var.name_prefix}${fn.name}" }) },
    { for key, fn in local.resources.agent_functions : key => merge(fn, { kind = "agent", name = "${var.name_prefix}${fn.name}" }) },
  )
  agent_lambdas = { for key, fn in local.lambdas : key => fn if fn.kind == "agent" }

  state_machine_name = "${var.name_prefix}${local.resources.state_machine.name}"
  package_dir        = abspath(startswith(var.package_dir, "/") ? var.package_dir : "${path.module}/${var.package_dir}")
}
