// The JobQueue contract run against each adapter: SQLite, SQS on fauxqs, and the in-memory fake.
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "contract/job_queue_contract.h"
#include "fakes/memory_queue.h"
#include "net/http_client.h"
#include "peers/peer_process.h"
#include "queue/sqlite/sqlite_queue.h"
#include "queue/sqs/sqs_queue.h"
#include "unit/queue_sqs/sqs_test_env.h"

namespace pictor::testing {
namespace {

namespace fs = std::filesystem;

// A clock the test moves by hand, shared with the queue.
class ManualClock {
 public:
  std::function<int64_t()> Reader() const {
    return [now = now_] { return now->load(); };
  }
  void Advance(std::chrono::seconds by) { *now_ += by.count() * 1000; }

 private:
  std::shared_ptr<std::atomic<int64_t>> now_ =
      std::make_shared<std::atomic<int64_t>>(1'700'000'000'000);
};

class SqliteQueueUnderTest final : public QueueUnderTest {
 public:
  static Result<std::unique_ptr<QueueUnderTest>> Open() {
    auto self = std::unique_ptr<SqliteQueueUnderTest>(new SqliteQueueUnderTest);
    std::string pattern = (fs::temp_directory_path() / "pictor-contract-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return Status::Internal("mkdtemp failed");
    self->dir_ = pattern;
    SqliteQueueOptions options;
    options.path = (self->dir_ / "queue.db").string();
    options.now_ms = self->clock_.Reader();
    auto queue = OpenSqliteQueue(options);
    if (!queue.ok()) return queue.status();
    self->queue_ = std::move(queue).value();
    return std::unique_ptr<QueueUnderTest>(std::move(self));
  }
  ~SqliteQueueUnderTest() override {
    queue_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  JobQueue& queue() override { return *queue_; }
  void Elapse(std::chrono::seconds by) override { clock_.Advance(by); }

 private:
  SqliteQueueUnderTest() = default;
  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<JobQueue> queue_;
};

class MemoryQueueUnderTest final : public QueueUnderTest {
 public:
  MemoryQueueUnderTest() : queue_(MemoryQueueOptions{.now_ms = clock_.Reader()}) {}
  JobQueue& queue() override { return queue_; }
  void Elapse(std::chrono::seconds by) override { clock_.Advance(by); }

 private:
  ManualClock clock_;
  MemoryQueue queue_;
};

// A queue and its dead-letter queue on a fauxqs of their own, for the length of one test.
class SqsQueueUnderTest final : public QueueUnderTest {
 public:
  static Result<std::unique_ptr<QueueUnderTest>> Open() {
    auto self = std::unique_ptr<SqsQueueUnderTest>(new SqsQueueUnderTest);
    auto peer = StartFauxqs();
    if (!peer.ok()) return peer.status();
    self->peer_ = std::move(peer).value();
    self->env_ = std::make_unique<sqs::testing::ScopedSqsEnv>(self->peer_->base_url().c_str());
    auto url = self->CreateQueue("jobs");
    if (!url.ok()) return url.status();
    auto dead = self->CreateQueue("jobs-dead");
    if (!dead.ok()) return dead.status();
    auto queue = OpenSqsQueue({.queue_url = *url, .dead_letter_queue_url = *dead});
    if (!queue.ok()) return queue.status();
    self->queue_ = std::move(queue).value();
    return std::unique_ptr<QueueUnderTest>(std::move(self));
  }
  JobQueue& queue() override { return *queue_; }
  void Elapse(std::chrono::seconds) override {}  // real time: the receives long-poll instead
  bool RefusesStaleDelete() const override { return false; }

 private:
  SqsQueueUnderTest() = default;

  Result<std::string> CreateQueue(const std::string& name) {
    net::HttpCall call;
    call.method = "POST";
    call.url = peer_->base_url() + "/";
    call.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                    {"X-Amz-Target", "AmazonSQS.CreateQueue"}};
    call.body = nlohmann::json{{"QueueName", name}}.dump();
    auto reply = http_->Perform(call);
    if (!reply.ok()) return reply.status();
    auto body = nlohmann::json::parse(reply->body, nullptr, false);
    if (reply->status != 200 || !body.is_object() || !body.contains("QueueUrl")) {
      return Status::Internal("CreateQueue " + name + ": " + reply->body);
    }
    return body["QueueUrl"].get<std::string>();
  }

  std::unique_ptr<PeerProcess> peer_;
  std::unique_ptr<sqs::testing::ScopedSqsEnv> env_;
  std::unique_ptr<net::HttpClient> http_ = net::NewHttpClient();
  std::unique_ptr<JobQueue> queue_;  // last: goes before the peer it talks to
};

INSTANTIATE_TEST_SUITE_P(
    Adapters, JobQueueContract,
    ::testing::Values(QueueAdapter{"Sqlite", SqliteQueueUnderTest::Open},
                      QueueAdapter{"SqsOnFauxqs", SqsQueueUnderTest::Open},
                      QueueAdapter{"MemoryFake",
                                   []() -> Result<std::unique_ptr<QueueUnderTest>> {
                                     return std::unique_ptr<QueueUnderTest>(
                                         new MemoryQueueUnderTest);
                                   }}),
    [](const ::testing::TestParamInfo<QueueAdapter>& info) { return info.param.name; });

}  // namespace
}  // namespace pictor::testing
