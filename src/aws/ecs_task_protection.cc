#include "aws/ecs_task_protection.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace pictor::aws {
namespace {

constexpr size_t kMaxDetail = 300;

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// "<code>: <message>" from the agent's failure or error object, cut short and printable.
std::string Detail(const nlohmann::json& object) {
  std::string code = StringField(object, "Code");
  if (code.empty()) code = StringField(object, "Reason");
  std::string message = StringField(object, "Message");
  if (message.empty()) message = StringField(object, "Detail");
  std::string text = code.empty() ? message : message.empty() ? code : code + ": " + message;
  if (text.size() > kMaxDetail) text.resize(kMaxDetail);
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) c = '?';
  }
  return text;
}

}  // namespace

Status ReadTaskProtectionReply(long http_status, std::string_view body) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool object = doc.is_object();
  if (http_status == 200 && object) {
    if (auto it = doc.find("protection"); it != doc.end() && it->is_object()) return Status::Ok();
    if (auto it = doc.find("failure"); it != doc.end() && it->is_object()) {
      return Status::Unavailable("the ECS agent reports a failure: " + Detail(*it));
    }
  }
  std::string detail;
  if (object) {
    if (auto it = doc.find("error"); it != doc.end() && it->is_object()) detail = Detail(*it);
  }
  if (detail.empty()) detail = "an answer that is not the agent's task-protection JSON";
  const std::string text =
      "the ECS agent answered HTTP " + std::to_string(http_status) + ": " + detail;
  if (http_status == 403) return Status::PermissionDenied(text);
  return Status::Unavailable(text);
}

EcsTaskProtection::EcsTaskProtection(std::string agent_uri, net::HttpClient& http,
                                     std::chrono::milliseconds timeout)
    : url_([&] {
        while (!agent_uri.empty() && agent_uri.back() == '/') agent_uri.pop_back();
        return agent_uri + "/task-protection/v1/state";
      }()),
      http_(http),
      timeout_(timeout) {}

Status EcsTaskProtection::SetProtection(bool enabled, int minutes) {
  nlohmann::json body = {{"ProtectionEnabled", enabled}};
  if (enabled) body["ExpiresInMinutes"] = minutes;
  net::HttpCall call;
  call.method = "PUT";
  call.url = url_;
  call.headers = {{"Content-Type", "application/json"}};
  call.body = body.dump();
  call.connect_timeout = std::min(timeout_, std::chrono::milliseconds(2000));
  call.total_timeout = timeout_;
  auto reply = http_.Perform(call);
  if (!reply.ok()) return reply.status().WithContext("ECS agent task protection");
  return ReadTaskProtectionReply(reply->status, reply->body);
}

}  // namespace pictor::aws
