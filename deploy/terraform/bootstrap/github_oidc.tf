# GitHub's OIDC provider and the two roles the workflows assume with its tokens, no access keys.
#
# A token's `sub` names where the job runs, and each role trusts exactly the subjects of its jobs
# (tests/unit/deploy/test_pipeline.py derives them from the workflows and compares):
#   plan role   repo:<owner>/<repo>:pull_request         terraform.yml plan, pull request from a
#                                                        branch of the repository (forks get no token)
#               repo:<owner>/<repo>:ref:refs/heads/main  terraform.yml plan on a push to main
#   apply role  repo:<owner>/<repo>:environment:production
#                                                        every job with `environment: production`:
#                                                        terraform apply of prod, sam deploy, image push
#               repo:<owner>/<repo>:environment:development
#                                                        terraform apply of dev (`environment: development`)
# A job with an environment is given the environment's subject, never the branch's: a trust on
# `ref:refs/heads/main` alone refuses it.
#
# The plan role reads: the state, and the resources the main module and the SAM stack manage (to
# refresh them); its only write is the state's lock file. The apply role reads and writes those
# resources only: names that start with var.name or the SAM stack's name, the ECR repository.
# That covers both computes of the main module (compute = "lambda" | "ecs", ecs_serve,
# ecs_scale_to_zero, kubernetes_roles): tests/unit/deploy/test_pipeline.py checks that every
# resource type it declares has its create, delete and read actions here.
#
# Resource "*" only where IAM offers no resource for the action, so the name cannot scope it (the
# Service Authorization Reference; the test lists exactly these actions):
#   ecr:GetAuthorizationToken                 the registry's login token
#   ec2:Describe*                             the subnets, security groups and VPC the services and
#                                             the load balancer are placed in (EC2 has no
#                                             resource-level permissions for Describe)
#   elasticloadbalancing:Describe*            ELBv2's reads take no resource
#   ecs:CreateCluster, ecs:RegisterTaskDefinition, ecs:DeregisterTaskDefinition,
#   ecs:DescribeTaskDefinition                no resource (a task definition's ARN exists only
#                                             after its registration)
#   application-autoscaling:*ScalableTarget*, *ScalingPolic*, TagResource, UntagResource,
#   ListTagsForResource                       the scalable target's ARN is a generated id, not a
#                                             name, and the Describe calls take none
# The services' own work (ECS placing tasks in the subnets, registering them with the target
# group; Application Auto Scaling changing the desired count) runs under their service-linked
# roles, which the apply role may create but not use.

locals {
  oidc_host = "token.actions.githubusercontent.com"

  plan_subjects = [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/${var.main_branch}",
  ]
  apply_subjects = [
    "repo:${var.github_repository}:environment:${var.production_environment}",
    "repo:${var.github_repository}:environment:${var.development_environment}",
  ]

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn

  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  arn_tail  = "${var.region}:${local.account}"

  state_object = "arn:${local.partition}:s3:::${var.state_bucket}/${var.state_key}"

  # What the main module (deploy/terraform) and the SAM stack create, by ARN.
  queues     = "arn:${local.partition}:sqs:${local.arn_tail}:${var.name}-*"
  functions  = ["arn:${local.partition}:lambda:${local.arn_tail}:function:${var.name}-*", "arn:${local.partition}:lambda:${local.arn_tail}:function:${var.sam_stack_name}-*"]
  mappings   = "arn:${local.partition}:lambda:${local.arn_tail}:event-source-mapping:*"
  roles      = ["arn:${local.partition}:iam::${local.account}:role/${var.name}-*", "arn:${local.partition}:iam::${local.account}:role/${var.sam_stack_name}-*"]
  log_groups = ["arn:${local.partition}:logs:${local.arn_tail}:log-group:/aws/lambda/${var.name}-*", "arn:${local.partition}:logs:${local.arn_tail}:log-group:/aws/lambda/${var.sam_stack_name}-*", "arn:${local.partition}:logs:${local.arn_tail}:log-group:/ecs/${var.name}", "arn:${local.partition}:logs:${local.arn_tail}:log-group:/ecs/${var.name}:*"]
  topics     = "arn:${local.partition}:sns:${local.arn_tail}:${var.name}-*"
  # The module's alarms, and the ones target tracking creates for the worker service's policy
  # (TargetTracking-service/<name>-cluster/<name>-worker-AlarmHigh-<id>), which Application Auto
  # Scaling creates and deletes with the caller's permissions.
  alarms        = ["arn:${local.partition}:cloudwatch:${local.arn_tail}:alarm:${var.name}-*", "arn:${local.partition}:cloudwatch:${local.arn_tail}:alarm:TargetTracking-service/${var.name}-*", "arn:${local.partition}:cloudwatch:${local.arn_tail}:alarm:${var.sam_stack_name}-*"]
  stacks        = ["arn:${local.partition}:cloudformation:${local.arn_tail}:stack/${var.sam_stack_name}/*", "arn:${local.partition}:cloudformation:${local.arn_tail}:stack/aws-sam-cli-managed-default/*"]
  sam_transform = "arn:${local.partition}:cloudformation:${var.region}:aws:transform/Serverless-2016-10-31"
  sam_artifacts = "arn:${local.partition}:s3:::aws-sam-cli-managed-default-samclisourcebucket-*"
  http_apis     = ["arn:${local.partition}:apigateway:${var.region}::/apis", "arn:${local.partition}:apigateway:${var.region}::/apis/*", "arn:${local.partition}:apigateway:${var.region}::/tags/*"]
  ecr_repo      = "arn:${local.partition}:ecr:${local.arn_tail}:repository/${var.ecr_repository}"

  # The operations view and gradual deploys: the dashboards <name>-<environment> (global: no
  # region), the CodeDeploy applications and groups of the worker (<name>-*) and of the SAM
  # stack's DeploymentPreference (<stack>-*), the predefined Lambda deployment configurations,
  # the roles CodeDeploy is given (codedeploy.tf's <name>-<environment>-codedeploy, SAM's
  # <stack>-CodeDeployServiceRole-*) and the managed policy SAM attaches to its role.
  dashboards              = "arn:${local.partition}:cloudwatch::${local.account}:dashboard/${var.name}*"
  codedeploy_apps         = ["arn:${local.partition}:codedeploy:${local.arn_tail}:application:${var.name}-*", "arn:${local.partition}:codedeploy:${local.arn_tail}:application:${var.sam_stack_name}-*"]
  codedeploy_groups       = ["arn:${local.partition}:codedeploy:${local.arn_tail}:deploymentgroup:${var.name}-*", "arn:${local.partition}:codedeploy:${local.arn_tail}:deploymentgroup:${var.sam_stack_name}-*"]
  codedeploy_configs      = "arn:${local.partition}:codedeploy:${local.arn_tail}:deploymentconfig:CodeDeployDefault.Lambda*"
  codedeploy_roles        = ["arn:${local.partition}:iam::${local.account}:role/${var.name}-*codedeploy", "arn:${local.partition}:iam::${local.account}:role/${var.sam_stack_name}-CodeDeployServiceRole-*"]
  codedeploy_sam_policies = ["arn:${local.partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda", "arn:${local.partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"]

  # compute = "ecs" (ecs.tf, ecs_iam.tf): cluster <name>-cluster, services <name>-worker and
  # <name>-serve in it, task definition families of the same names, the ALB <name>-api, the
  # target group <name>-serve and the ALB's listeners; the tasks' roles <name>-ecs-*.
  ecs_clusters         = "arn:${local.partition}:ecs:${local.arn_tail}:cluster/${var.name}-*"
  ecs_services         = "arn:${local.partition}:ecs:${local.arn_tail}:service/${var.name}-*/${var.name}-*"
  ecs_task_definitions = "arn:${local.partition}:ecs:${local.arn_tail}:task-definition/${var.name}-*:*"
  load_balancers       = "arn:${local.partition}:elasticloadbalancing:${local.arn_tail}:loadbalancer/app/${var.name}-*/*"
  target_groups        = "arn:${local.partition}:elasticloadbalancing:${local.arn_tail}:targetgroup/${var.name}-*/*"
  listeners            = "arn:${local.partition}:elasticloadbalancing:${local.arn_tail}:listener/app/${var.name}-*/*/*"
  task_roles           = "arn:${local.partition}:iam::${local.account}:role/${var.name}-ecs-*"

  # The service-linked roles ECS, ELB and Application Auto Scaling (for ECS services) create on
  # their first use in an account.
  service_linked_services = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"]
  service_linked_roles = [
    "arn:${local.partition}:iam::${local.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
    "arn:${local.partition}:iam::${local.account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
    "arn:${local.partition}:iam::${local.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
  ]
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 0 : 1
  url   = "https://${local.oidc_host}"
}

data "aws_iam_policy_document" "trust_plan" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.plan_subjects
    }
  }
}

data "aws_iam_policy_document" "trust_apply" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.apply_subjects
    }
  }
}

resource "aws_iam_role" "plan" {
  name                 = "${var.name}-github-plan"
  description          = "terraform plan from GitHub Actions (${var.github_repository}): read-only."
  assume_role_policy   = data.aws_iam_policy_document.trust_plan.json
  max_session_duration = 3600
}

resource "aws_iam_role" "apply" {
  name                 = "${var.name}-github-apply"
  description          = "terraform apply, sam deploy and image push from GitHub Actions (${var.github_repository}, environment ${var.production_environment})."
  assume_role_policy   = data.aws_iam_policy_document.trust_apply.json
  max_session_duration = 3600
}

# Reading what the main module and the SAM stack manage: what a refresh calls.
data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = [local.state_object]
  }
  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.state_bucket}"]
  }
  # The S3 backend's lock (use_lockfile): the plan's only write, on the lock file alone.
  statement {
    sid       = "LockState"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_object}.tflock"]
  }
  statement {
    sid       = "ReadQueues"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"]
    resources = [local.queues]
  }
  statement {
    sid       = "ReadFunctions"
    actions   = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig", "lambda:GetPolicy", "lambda:ListVersionsByFunction", "lambda:ListTags", "lambda:GetEventSourceMapping", "lambda:GetAlias", "lambda:ListAliases"]
    resources = concat(local.functions, [local.mappings])
  }
  statement {
    sid       = "ReadRoles"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = local.roles
  }
  statement {
    sid       = "ReadLogGroups"
    actions   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = local.log_groups
  }
  # Log group names of this region (DescribeLogGroups lists, it takes no single group).
  statement {
    sid       = "ListLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${local.arn_tail}:log-group:*"]
  }
  statement {
    sid       = "ReadTopics"
    actions   = ["sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListSubscriptionsByTopic", "sns:GetSubscriptionAttributes"]
    resources = [local.topics]
  }
  statement {
    sid       = "ReadAlarms"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
    resources = local.alarms
  }
  statement {
    sid       = "ReadDashboards"
    actions   = ["cloudwatch:GetDashboard"]
    resources = [local.dashboards]
  }
  statement {
    sid       = "ReadCodeDeploy"
    actions   = ["codedeploy:GetApplication", "codedeploy:GetDeploymentGroup", "codedeploy:ListTagsForResource"]
    resources = concat(local.codedeploy_apps, local.codedeploy_groups)
  }
  statement {
    sid       = "ReadRepository"
    actions   = ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:GetLifecyclePolicy", "ecr:ListTagsForResource"]
    resources = [local.ecr_repo]
  }
  statement {
    sid       = "ReadEcs"
    actions   = ["ecs:DescribeClusters", "ecs:DescribeServices", "ecs:ListTagsForResource"]
    resources = [local.ecs_clusters, local.ecs_services, local.ecs_task_definitions]
  }
  # Reads IAM offers on no resource (the comment at the top of this file).
  statement {
    sid = "ReadWithoutResource"
    actions = [
      "ecs:DescribeTaskDefinition",
      "ec2:DescribeAccountAttributes", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
      "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags",
      "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
      "application-autoscaling:ListTagsForResource",
    ]
    resources = ["*"]
  }
}

# The apply role: everything the plan role reads (the same policy), plus the writes of an apply,
# a sam deploy and an image push on the same resources, in two documents (a managed policy holds
# at most 6,144 characters, a role's inline policies 10,240 in all; test_pipeline.py renders them
# and checks): the serverless path's and the container path's.
data "aws_iam_policy_document" "apply_serverless" {
  # The GitHub roles and their policies are named <name>-github-*, inside the <name>-* the role
  # statements below manage: an apply must never widen its own role.
  statement {
    sid       = "NeverChangeTheGithubRoles"
    effect    = "Deny"
    actions   = ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/${var.name}-github-*"]
  }

  statement {
    sid       = "WriteState"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_object]
  }
  statement {
    sid       = "ManageQueues"
    actions   = ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"]
    resources = [local.queues]
  }
  statement {
    sid       = "ManageFunctions"
    actions   = ["lambda:CreateFunction", "lambda:DeleteFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:TagResource", "lambda:UntagResource", "lambda:AddPermission", "lambda:RemovePermission", "lambda:PublishVersion"]
    resources = local.functions
  }
  statement {
    sid       = "ManageEventSourceMappings"
    actions   = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
    resources = [local.mappings]
    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = local.functions
    }
  }
  statement {
    sid       = "ManageRoles"
    actions   = ["iam:CreateRole", "iam:DeleteRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"]
    resources = local.roles
  }
  # The functions' roles, to Lambda only.
  statement {
    sid       = "PassFunctionRoles"
    actions   = ["iam:PassRole"]
    resources = local.roles
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }
  statement {
    sid       = "ManageLogGroups"
    actions   = ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup"]
    resources = local.log_groups
  }
  statement {
    sid       = "ManageTopics"
    actions   = ["sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:TagResource", "sns:UntagResource"]
    resources = [local.topics]
  }
  statement {
    sid       = "ManageAlarms"
    actions   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = local.alarms
  }
  statement {
    sid       = "DeploySamStack"
    actions   = ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources", "cloudformation:ListStackResources", "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary"]
    resources = concat(local.stacks, [local.sam_transform])
  }
  statement {
    sid       = "SamArtifacts"
    actions   = ["s3:CreateBucket", "s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutBucketTagging", "s3:PutBucketPublicAccessBlock"]
    resources = [local.sam_artifacts, "${local.sam_artifacts}/*"]
  }
  statement {
    sid       = "ManageHttpApi"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:TagResource"]
    resources = local.http_apis
  }
}

# The operations view and gradual deploys: dashboards, the worker's alias and its CodeDeploy
# application and group (and the SAM stack's, from its DeploymentPreference), and the deployments
# shift-traffic.sh creates.
data "aws_iam_policy_document" "apply_operations" {
  statement {
    sid       = "ManageDashboards"
    actions   = ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"]
    resources = [local.dashboards]
  }
  statement {
    sid       = "ManageAliases"
    actions   = ["lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias"]
    resources = local.functions
  }
  statement {
    sid       = "ManageCodeDeploy"
    actions   = ["codedeploy:CreateApplication", "codedeploy:DeleteApplication", "codedeploy:CreateDeploymentGroup", "codedeploy:UpdateDeploymentGroup", "codedeploy:DeleteDeploymentGroup", "codedeploy:TagResource", "codedeploy:UntagResource"]
    resources = concat(local.codedeploy_apps, local.codedeploy_groups)
  }
  statement {
    sid       = "DeployTheWorker"
    actions   = ["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:StopDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision", "codedeploy:GetApplicationRevision"]
    resources = concat(local.codedeploy_apps, local.codedeploy_groups, [local.codedeploy_configs])
  }
  # CodeDeploy's roles, to CodeDeploy only.
  statement {
    sid       = "PassCodeDeployRoles"
    actions   = ["iam:PassRole"]
    resources = local.codedeploy_roles
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["codedeploy.amazonaws.com"]
    }
  }
  # SAM's CodeDeployServiceRole gets AWS's managed policy for Lambda deployments, and only it.
  statement {
    sid       = "AttachCodeDeployPolicy"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = local.codedeploy_roles
    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = local.codedeploy_sam_policies
    }
  }
}

# compute = "ecs" and the image push.
data "aws_iam_policy_document" "apply_containers" {
  # The registry login token has no resource; the pushes are to one repository.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PushImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
    resources = [local.ecr_repo]
  }

  # compute = "ecs": the tasks' roles, to ECS tasks only.
  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [local.task_roles]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  statement {
    sid       = "CreateServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = local.service_linked_roles
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = local.service_linked_services
    }
  }
  statement {
    sid       = "ManageRepository"
    actions   = ["ecr:CreateRepository", "ecr:DeleteRepository", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:TagResource", "ecr:UntagResource"]
    resources = [local.ecr_repo]
  }
  statement {
    sid       = "ManageEcs"
    actions   = ["ecs:DeleteCluster", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:TagResource", "ecs:UntagResource"]
    resources = [local.ecs_clusters, local.ecs_services, local.ecs_task_definitions]
  }
  statement {
    sid       = "ManageLoadBalancer"
    actions   = ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]
    resources = [local.load_balancers, local.target_groups, local.listeners]
  }
  # Writes IAM offers on no resource (the comment at the top of this file).
  statement {
    sid = "WriteWithoutResource"
    actions = [
      "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
      "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:TagResource", "application-autoscaling:UntagResource",
    ]
    resources = ["*"]
  }
}

locals {
  policies = {
    read              = data.aws_iam_policy_document.plan.json
    deploy-serverless = data.aws_iam_policy_document.apply_serverless.json
    deploy-containers = data.aws_iam_policy_document.apply_containers.json
    deploy-operations = data.aws_iam_policy_document.apply_operations.json
  }
  attachments = {
    plan-read               = { role = aws_iam_role.plan.name, policy = "read" }
    apply-read              = { role = aws_iam_role.apply.name, policy = "read" }
    apply-deploy-serverless = { role = aws_iam_role.apply.name, policy = "deploy-serverless" }
    apply-deploy-containers = { role = aws_iam_role.apply.name, policy = "deploy-containers" }
    apply-deploy-operations = { role = aws_iam_role.apply.name, policy = "deploy-operations" }
  }
}

resource "aws_iam_policy" "github" {
  for_each    = local.policies
  name        = "${var.name}-github-${each.key}"
  description = "GitHub Actions (${var.github_repository}): ${each.key}."
  policy      = each.value
}

resource "aws_iam_role_policy_attachment" "github" {
  for_each   = local.attachments
  role       = each.value.role
  policy_arn = aws_iam_policy.github[each.value.policy].arn
}
