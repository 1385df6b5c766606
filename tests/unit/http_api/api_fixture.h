// The fixture the API's test files share.
#ifndef PICTOR_TESTS_UNIT_HTTP_API_API_FIXTURE_H_
#define PICTOR_TESTS_UNIT_HTTP_API_API_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"
#include "http/api.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "queue/sqlite/sqlite_queue.h"

namespace pictor::http::testing {

// An Api over a fake model, a memory store and real SQLite queue and ledger in a temporary
// folder of its own; Call answers one request through Api::Handle.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    SqliteQueueOptions qo;
    qo.path = (dir_ / "queue.db").string();
    queue_ = OpenSqliteQueue(qo).value();
    ledger_ = OpenSqliteLedger((dir_ / "jobs.db").string()).value();
    pipeline_.ledger = ledger_.get();
    pipeline_.key_prefix = "cand";
    api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, ApiOptions{});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  HttpResponse Call(std::string method, std::string path, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {
                        {"Content-Type", "application/json"}}) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.headers.Add("Host", "pictor.test");
    for (auto& [k, v] : headers) r.headers.Add(k, v);
    return api_->Handle(r);
  }
  static nlohmann::json Body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

  std::filesystem::path dir_;
  pictor::testing::FakeImageModel model_;
  pictor::testing::MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<JobLedger> ledger_;
  MetricsRegistry metrics_;
  std::unique_ptr<Api> api_;
};

}  // namespace pictor::http::testing

#endif  // PICTOR_TESTS_UNIT_HTTP_API_API_FIXTURE_H_
