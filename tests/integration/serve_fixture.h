// The fixture of the `pictor serve` suites: a server on port 0 over a fresh directory, with
// helpers to post, get, and await a queued job.
#ifndef PICTOR_TESTS_INTEGRATION_SERVE_FIXTURE_H_
#define PICTOR_TESTS_INTEGRATION_SERVE_FIXTURE_H_

#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace pictor::integration {

using Json = nlohmann::json;

// n copies of a two-byte character: n characters, 2n bytes.
inline std::string RepeatA(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "å";
  return s;
}

inline Json ParseJson(const HttpResult& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j;
}

class ServeTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
    ASSERT_TRUE(StartServe(dir_, &server_));
  }

  void TearDown() override {
    if (HasFailure() && server_.process) {
      std::cerr << "pictor serve stderr:\n" << server_.process->Stderr();
    }
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http("POST", server_.base_url + path, body, headers);
  }
  HttpResult Get(const std::string& path,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Http("GET", server_.base_url + path, {}, headers);
  }

  std::filesystem::path StoredPath(const std::string& key) const {
    return dir_.path() / "images" / key;
  }

  // Polls GET /jobs/{id} until the job succeeds or fails (bounded); returns the last answer.
  Json AwaitJob(const std::string& id) {
    Json job;
    WaitUntil(
        [&] {
          HttpResult r = Get("/jobs/" + id);
          if (r.status != 200) return false;
          job = Json::parse(r.body, nullptr, false);
          return job.is_object() && (job["status"] == "succeeded" || job["status"] == "failed");
        },
        60s);
    return job;
  }

  TempDir dir_;
  Server server_;
};

}  // namespace pictor::integration

#endif  // PICTOR_TESTS_INTEGRATION_SERVE_FIXTURE_H_
