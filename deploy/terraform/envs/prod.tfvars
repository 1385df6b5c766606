# prod: the same module as dev, its own state (backend-prod.hcl) and names (pictor-prod-...).
# The settings both share (bucket_name, alert_email, region) are in terraform.tfvars or TF_VAR_*.
# terraform init -backend-config=envs/backend-prod.hcl && terraform plan -var-file=envs/prod.tfvars
environment = "prod"
name        = "pictor"
key_prefix  = "cand"
log_level   = "info"

maximum_concurrency = 10
deployment_config   = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
