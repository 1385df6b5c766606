# Computed attributes the module reads from resources and data sources, as AWS would return
# them, for the tests' mock provider (terraform test: mock_provider "aws" { source = ... }).
mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/pictor"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pictor"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/pictor" }
}
mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:pictor-prompts"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/pictor-prompts"
  }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:pictor-alerts" }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn     = "arn:aws:lambda:eu-west-1:123456789012:function:pictor-queue-worker"
    version = "2"
  }
}
mock_resource "aws_appautoscaling_policy" {
  defaults = { arn = "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:0123:resource/ecs/service/pictor-cluster/pictor-worker:policyName/pictor-worker-wake" }
}
mock_resource "aws_ecs_cluster" {
  defaults = {
    arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/pictor-cluster"
    id  = "arn:aws:ecs:eu-west-1:123456789012:cluster/pictor-cluster"
  }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/pictor" }
}
mock_resource "aws_ecs_task_definition" {
  defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/pictor-worker:1" }
}
mock_resource "aws_lb_target_group" {
  defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pictor-serve/0123456789abcdef" }
}
mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/pictor-api/0123456789abcdef"
    dns_name   = "pictor-api-123.eu-west-1.elb.amazonaws.com"
    arn_suffix = "app/pictor-api/0123456789abcdef"
  }
}
mock_resource "aws_lambda_alias" {
  defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:pictor-queue-worker:live" }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:pictor-alarm" }
}
