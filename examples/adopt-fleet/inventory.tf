# The inventory: every node in Ironic (narrowed by the filters below, all optional),
# rendered as import blocks for the node, its ports and, when it is deployed, its
# deployment. Delete this file once the fleet is adopted.

variable "owner" {
  description = "Adopt only the nodes of this owner (a project id)."
  type        = string
  default     = null
}

variable "conductor_group" {
  description = "Adopt only the nodes of this conductor group (a rack, a site)."
  type        = string
  default     = null
}

variable "resource_class" {
  description = "Adopt only the nodes of this resource class."
  type        = string
  default     = null
}

data "baremetal_nodes" "fleet" {
  owner           = var.owner
  conductor_group = var.conductor_group
  resource_class  = var.resource_class
}

locals {
  nodes = data.baremetal_nodes.fleet.nodes

  # Each node's resource label: its name, with what a Terraform label cannot hold
  # replaced by "_" ("node-<uuid>" for a node without a name; "n_" in front of one that
  # starts with a digit).
  safe = {
    for n in local.nodes : n.id => replace(coalesce(n.name, "node-${n.id}"), "/[^A-Za-z0-9_-]/", "_")
  }
  prefixed = { for id, l in local.safe : id => can(regex("^[A-Za-z_]", l)) ? l : "n_${l}" }
  # Two names that give one label ("web.1" and "web_1") each get their UUID's first
  # eight characters appended.
  by_label = { for id, l in local.prefixed : l => id... }
  label    = { for id, l in local.prefixed : id => length(local.by_label[l]) == 1 ? l : "${l}_${substr(id, 0, 8)}" }

  import_blocks = [
    for n in local.nodes : join("", concat(
      [format("import {\n  to = baremetal_node.%s\n  id = %q\n}\n", local.label[n.id], n.id)],
      [for p in n.ports : format("import {\n  to = baremetal_port.%s_%s\n  id = %q\n}\n",
      local.label[n.id], replace(lower(p.address), ":", ""), p.id)],
      n.deployed ? [format("import {\n  to = baremetal_deployment.%s\n  id = %q\n}\n", local.label[n.id], n.id)] : [],
    ))
  ]
}

output "import_blocks" {
  description = "Write it to imports.tf: terraform output -raw import_blocks > imports.tf"
  value       = join("\n", local.import_blocks)
}

# The same naming the provider, for the -generate-config-out step only: without it Terraform
# 1.16.0 to 1.16.2 looks for hashicorp/baremetal there (hashicorp/terraform#39144), and every
# CLI refuses it once the resource blocks exist.
output "import_blocks_to_generate" {
  description = "For the generate step: terraform output -raw import_blocks_to_generate > imports.tf"
  value       = replace(join("\n", local.import_blocks), "import {\n", "import {\n  provider = baremetal\n")
}

output "found" {
  description = "What the import blocks adopt."
  value = {
    nodes       = length(local.nodes)
    ports       = length(flatten(local.nodes[*].ports))
    deployments = length([for n in local.nodes : n.id if n.deployed])
  }
}
