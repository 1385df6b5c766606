# dev: the same module as prod, its own state (backend-dev.hcl) and names (pictor-dev-...).
# The settings both share (bucket_name, alert_email, region) are in terraform.tfvars or TF_VAR_*.
# terraform init -backend-config=envs/backend-dev.hcl && terraform plan -var-file=envs/dev.tfvars
environment = "dev"
name        = "pictor"
key_prefix  = "cand/dev"
log_level   = "debug"

maximum_concurrency = 2
# The canary is not worth its 5 minutes on dev: all at once, still rolled back on the alarm.
deployment_config = "CodeDeployDefault.LambdaAllAtOnce"

# With kubernetes_roles: the dev overlay's namespace (deploy/kubernetes/overlays/dev).
kubernetes_namespace = "pictor-dev"
