# One module, several environments: each has its variable file (envs/<environment>.tfvars) and its
# own state (envs/backend-<environment>.hcl.example: a key per environment), and every resource
# name starts with local.name, <name>-<environment>, so dev and prod can share an account without
# colliding. tests/environments.tftest.hcl applies dev and prod and compares their names.

locals {
  name = var.environment == "" ? var.name : "${var.name}-${var.environment}"
  tags = merge(var.tags, var.environment == "" ? {} : { environment = var.environment })
}
