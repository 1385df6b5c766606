#!/bin/sh
# Moves the worker function's alias `live` to the version the last `terraform apply` published,
# through CodeDeploy (codedeploy.tf): the deployment group's configuration (a 10 % canary for
# 5 minutes by default) shifts the invocations, and CodeDeploy moves the alias back when the
# errors alarm fires or the deployment fails; this script then fails too. Run in this folder
# after an apply (terraform.yml's apply jobs do), with credentials that may read the alias and
# create the deployment. With compute = "ecs" there is no function, and nothing to do.
set -eu

outputs=$(terraform output -json)
output() { printf '%s' "$outputs" | jq -r --arg name "$1" '.[$name].value // empty'; }

application=$(output codedeploy_application)
if [ -z "$application" ]; then
  echo "no worker function (compute is not lambda): no alias to shift"
  exit 0
fi
group=$(output codedeploy_deployment_group)
function_name=$(output function_name)
alias_name=$(output function_alias)
target=$(output function_version)

current=$(aws lambda get-alias --function-name "$function_name" --name "$alias_name" \
  --query FunctionVersion --output text)
if [ "$current" = "$target" ]; then
  echo "$function_name:$alias_name is at version $target already"
  exit 0
fi

appspec=$(jq -cn --arg name "$function_name" --arg alias "$alias_name" --arg current "$current" \
  --arg target "$target" \
  '{version: 0.0, Resources: [{worker: {Type: "AWS::Lambda::Function", Properties:
    {Name: $name, Alias: $alias, CurrentVersion: $current, TargetVersion: $target}}}]}')
revision=$(jq -cn --arg content "$appspec" \
  '{revisionType: "AppSpecContent", appSpecContent: {content: $content}}')

deployment=$(aws deploy create-deployment --application-name "$application" \
  --deployment-group-name "$group" --revision "$revision" --query deploymentId --output text)
echo "deployment $deployment: $function_name:$alias_name from version $current to $target"
if ! aws deploy wait deployment-successful --deployment-id "$deployment"; then
  echo "deployment $deployment did not succeed (rolled back to version $current):" >&2
  aws deploy get-deployment --deployment-id "$deployment" \
    --query 'deploymentInfo.[status, errorInformation.message]' --output text >&2 || true
  exit 1
fi
echo "$function_name:$alias_name is at version $target"
