// The ECS container agent's task scale-in protection endpoint, as a TaskProtectionAgent
// (core/scale_in_protection.h). ECS puts ECS_AGENT_URI in every task's environment; the worker
// sends
//   PUT ${ECS_AGENT_URI}/task-protection/v1/state
//   {"ProtectionEnabled": true, "ExpiresInMinutes": N}    or    {"ProtectionEnabled": false}
// and the agent calls ECS UpdateTaskProtection for its task with the task role's credentials (so
// the task role needs ecs:UpdateTaskProtection on the task). The agent answers
//   200 {"protection": {"ProtectionEnabled": …, "ExpirationDate": …, "TaskArn": …}}  done;
//   200 {"failure": {"Arn": …, "Reason": …, "Detail": …}}                          refused by ECS;
//   4xx/5xx {"error": {"Code": …, "Message": …}, "requestID"?: …}               not done.
#ifndef PICTOR_AWS_ECS_TASK_PROTECTION_H_
#define PICTOR_AWS_ECS_TASK_PROTECTION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "core/scale_in_protection.h"
#include "net/http_client.h"
#include "pictor/status.h"

namespace pictor::aws {

// The agent's answer read: Ok only for a 200 with a "protection" object; otherwise Unavailable
// (a failure or error the agent reports, a 5xx, a body that is not the agent's JSON) or
// PermissionDenied (403: the task role lacks ecs:UpdateTaskProtection, or has no role), with the
// agent's code and message (cut to 300 bytes) in the text.
Status ReadTaskProtectionReply(long http_status, std::string_view body);

// Thread-safety: as HttpClient; SetProtection may be called from any thread. `http` is borrowed.
class EcsTaskProtection final : public TaskProtectionAgent {
 public:
  // `agent_uri`: ECS_AGENT_URI as ECS gives it ("http://169.254.170.2/api/<container id>").
  EcsTaskProtection(std::string agent_uri, net::HttpClient& http,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  Status SetProtection(bool enabled, int minutes) override;

 private:
  const std::string url_;
  net::HttpClient& http_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace pictor::aws

#endif  // PICTOR_AWS_ECS_TASK_PROTECTION_H_
