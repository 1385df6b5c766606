# kubernetes_roles: the roles of deploy/kubernetes's pods, as narrow as the ECS task roles (the
# same policy documents), and the one KEDA's operator needs to read the queue's length. Each role
# trusts its one service account through EKS Pod Identity (pods.eks.amazonaws.com, with the
# session tags EKS sets naming the namespace and service account) and, when
# eks_oidc_provider_arn is set, through IRSA (the cluster's OIDC provider, sub =
# system:serviceaccount:<namespace>:<name>). Attach them with the service account annotation
# eks.amazonaws.com/role-arn (IRSA) or a pod identity association (docs/DEPLOY.md).

locals {
  k8s = var.kubernetes_roles
  k8s_service_accounts = local.k8s ? {
    serve  = "${var.kubernetes_namespace}/pictor-serve"
    worker = "${var.kubernetes_namespace}/pictor-worker"
    keda   = var.keda_service_account
  } : {}
  k8s_oidc_issuer = try(split("oidc-provider/", var.eks_oidc_provider_arn)[1], "")
}

data "aws_iam_policy_document" "assume_k8s" {
  for_each = local.k8s_service_accounts

  statement {
    sid     = "EksPodIdentity"
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [split("/", each.value)[0]]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [split("/", each.value)[1]]
    }
  }

  dynamic "statement" {
    for_each = var.eks_oidc_provider_arn == "" ? [] : [1]
    content {
      sid     = "Irsa"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [var.eks_oidc_provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "${local.k8s_oidc_issuer}:sub"
        values   = ["system:serviceaccount:${replace(each.value, "/", ":")}"]
      }
      condition {
        test     = "StringEquals"
        variable = "${local.k8s_oidc_issuer}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "k8s" {
  for_each           = local.k8s_service_accounts
  name               = "${local.name}-k8s-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume_k8s[each.key].json
}

# KEDA's aws-sqs-queue scaler calls GetQueueAttributes, and nothing else.
data "aws_iam_policy_document" "keda" {
  count = local.k8s ? 1 : 0

  statement {
    sid       = "ReadQueueLength"
    actions   = ["sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.prompts.arn]
  }
}

resource "aws_iam_role_policy" "k8s_worker" {
  count  = local.k8s ? 1 : 0
  name   = "${local.name}-queue-worker"
  role   = aws_iam_role.k8s["worker"].id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_role_policy" "k8s_serve" {
  count  = local.k8s ? 1 : 0
  name   = "${local.name}-api"
  role   = aws_iam_role.k8s["serve"].id
  policy = data.aws_iam_policy_document.serve[0].json
}

resource "aws_iam_role_policy" "k8s_keda" {
  count  = local.k8s ? 1 : 0
  name   = "${local.name}-keda-queue-length"
  role   = aws_iam_role.k8s["keda"].id
  policy = data.aws_iam_policy_document.keda[0].json
}
