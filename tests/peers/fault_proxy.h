// tests/peers/fault_proxy.py as a child process in front of a peer, with its control endpoint:
// a test loads a script of faults, drives Pictor through the proxy, and reads back every request
// the proxy saw to check that retries stayed within their bound.
//
// Thread-safety: none; a test uses its proxy from one thread. Failures of the control calls are
// gtest failures.
#ifndef PICTOR_TESTS_PEERS_FAULT_PROXY_H_
#define PICTOR_TESTS_PEERS_FAULT_PROXY_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "peers/peer_process.h"

namespace pictor::testing {

// One request as the proxy saw it.
struct ProxiedRequest {
  std::string method;
  std::string path;    // path and query
  std::string target;  // X-Amz-Target, "" when absent
  std::string fault;   // the fault it got, "" when forwarded untouched
  double at = 0;       // seconds since the script was loaded
};

class FaultProxy {
 public:
  // Starts the proxy in front of `upstream_url` ("http://127.0.0.1:PORT"); null after a test
  // failure naming why.
  static std::unique_ptr<FaultProxy> Start(const std::string& upstream_url);

  std::string base_url() const { return process_->base_url(); }
  int port() const { return process_->port(); }

  // Replaces the script (a JSON list of rules, see fault_proxy.py) and clears the log.
  void Script(const nlohmann::json& rules);
  // Forwards everything untouched from now on, and clears the log.
  void Clear() { Script(nlohmann::json::array()); }

  // Every request since the last script.
  std::vector<ProxiedRequest> Log();
  // Those whose method is `method` and whose path contains `path_part` (or whose target does).
  std::vector<ProxiedRequest> Requests(const std::string& method, const std::string& part = "");

 private:
  explicit FaultProxy(std::unique_ptr<PeerProcess> process);

  std::unique_ptr<PeerProcess> process_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_PEERS_FAULT_PROXY_H_
