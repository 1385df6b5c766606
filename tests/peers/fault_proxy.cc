#include "peers/fault_proxy.h"

#include <gtest/gtest.h>

namespace pictor::testing {

FaultProxy::FaultProxy(std::unique_ptr<PeerProcess> process)
    : process_(std::move(process)), http_(net::NewHttpClient()) {}

std::unique_ptr<FaultProxy> FaultProxy::Start(const std::string& upstream_url) {
  auto started =
      PeerProcess::Start({"/usr/bin/python3", SourceDir() + "/tests/peers/fault_proxy.py",
                          "--upstream", upstream_url});
  if (!started.ok()) {
    ADD_FAILURE() << "fault proxy: " << started.status().ToString();
    return nullptr;
  }
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(started).value()));
}

void FaultProxy::Script(const nlohmann::json& rules) {
  Result<net::HttpReply> reply =
      http_->Perform({.method = "POST", .url = base_url() + "/_fault/rules", .body = rules.dump()});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  ASSERT_EQ(reply->status, 200) << reply->body;
}

std::vector<ProxiedRequest> FaultProxy::Log() {
  std::vector<ProxiedRequest> out;
  Result<net::HttpReply> reply =
      http_->Perform({.method = "GET", .url = base_url() + "/_fault/log"});
  if (!reply.ok() || reply->status != 200) {
    ADD_FAILURE() << "fault proxy log: " << (reply.ok() ? reply->body : reply.status().ToString());
    return out;
  }
  const nlohmann::json log = nlohmann::json::parse(reply->body, nullptr, false);
  if (!log.is_array()) {
    ADD_FAILURE() << "fault proxy log is not a list: " << reply->body;
    return out;
  }
  for (const nlohmann::json& entry : log) {
    ProxiedRequest request;
    request.method = entry.value("method", "");
    request.path = entry.value("path", "");
    request.target = entry.value("target", "");
    if (entry.contains("fault") && entry["fault"].is_string()) request.fault = entry["fault"];
    request.at = entry.value("at", 0.0);
    out.push_back(std::move(request));
  }
  return out;
}

std::vector<ProxiedRequest> FaultProxy::Requests(const std::string& method,
                                                 const std::string& part) {
  std::vector<ProxiedRequest> out;
  for (ProxiedRequest& request : Log()) {
    if (request.method != method) continue;
    if (!part.empty() && request.path.find(part) == std::string::npos &&
        request.target.find(part) == std::string::npos) {
      continue;
    }
    out.push_back(std::move(request));
  }
  return out;
}

}  // namespace pictor::testing
