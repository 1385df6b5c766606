// The store ledger against the JobLedger contract, on the file store (a temporary directory)
// and on the in-memory fake, plus what only this adapter promises: its object layout, id
// checks and unreadable objects.
#include "ledger/store/store_ledger.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fakes/job_records.h"
#include "fakes/memory_store.h"
#include "pictor/object_store_wrapper.h"
#include "store/file/file_store.h"

namespace pictor {
namespace {

using testing::NumberedJobId;
using testing::SampleJobRecord;

namespace fs = std::filesystem;

constexpr const char* kId1 = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a51";
constexpr const char* kId2 = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a52";
// SHA-256("abc"), the FIPS 180-2 example.
constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// Fails Put (not PutIfAbsent) while `fail_puts` is set; forwards everything else.
class FailingPutStore final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Status Put(std::string_view key, std::string_view data, std::string_view type) override {
    if (fail_puts) return Status::Unavailable("told to fail");
    return ObjectStoreWrapper::Put(key, data, type);
  }

  std::atomic<bool> fail_puts{false};
};

enum class Backend { kFile, kMemory };

void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kFile ? "the file store" : "the memory store");
}

class StoreLedgerTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kFile) {
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      for (char& c : name) c = c == '/' ? '-' : c;
      dir_ = fs::temp_directory_path() /
             ("pictor-store-ledger-" + std::to_string(::getpid()) + "-" + name);
      fs::remove_all(dir_);
      auto store = OpenFileStore(dir_.string());
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      store_ = std::move(store).value();
    } else {
      store_ = std::make_unique<testing::MemoryStore>();
    }
    ledger_ = Open(*store_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  static std::unique_ptr<JobLedger> Open(ObjectStore& store, std::string prefix = "jobs") {
    auto ledger = OpenStoreLedger(store, std::move(prefix));
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

  // Errors can reach an API client (GET /jobs/{id}): they name keys, never where a file store
  // keeps them.
  void ExpectNoServerPath(const Status& status) {
    if (!dir_.empty()) {
      EXPECT_EQ(status.message().find(dir_.string()), std::string::npos) << status.message();
    }
  }

  size_t ObjectCount() {
    auto all = store_->List("", 1000);
    EXPECT_TRUE(all.ok());
    return all.ok() ? all->size() : 0;
  }

  fs::path dir_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<JobLedger> ledger_;
};

INSTANTIATE_TEST_SUITE_P(Stores, StoreLedgerTest,
                         ::testing::Values(Backend::kFile, Backend::kMemory),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kFile ? "FileStore" : "MemoryStore";
                         });

TEST_P(StoreLedgerTest, RecordsLiveWhereTheLayoutSays) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "abc")).ok());
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId2)).ok());
  auto job = store_->Get(std::string("jobs/") + kId1 + ".json");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_NE(job->data.find("\"version\":1"), std::string::npos) << job->data;
  EXPECT_NE(job->data.find("\"state\":\"queued\""), std::string::npos) << job->data;
  auto claim = store_->Get(std::string("jobs/idempotency/") + kAbcSha256 + ".json");
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_NE(claim->data.find(kId1), std::string::npos);
  EXPECT_TRUE(store_->Head(std::string("jobs/") + kId2 + ".json").ok());
  // 9223372036854775807 - 1700000000000: newest first in key order.
  EXPECT_TRUE(store_->Head(std::string("jobs/index/newest/9223370336854775807-") + kId1).ok());
  EXPECT_TRUE(store_->Head(std::string("jobs/index/newest/9223370336854775807-") + kId2).ok());
  EXPECT_EQ(ObjectCount(), 5u);  // a job without a key has no claim; neither has an owner
  JobRecord owned = SampleJobRecord(NumberedJobId(3));
  owned.owner = "ci-bot";
  ASSERT_TRUE(ledger_->Put(owned).ok());
  EXPECT_TRUE(store_->Head("jobs/index/owner/ci-bot/9223370336854775807-" + owned.id).ok());
  owned.owner = "Not A Key Name";  // hashed into a valid segment
  ASSERT_TRUE(ledger_->Put(owned).ok());
  auto hashed = store_->List("jobs/index/owner/~", 10);
  ASSERT_TRUE(hashed.ok());
  ASSERT_EQ(hashed->size(), 1u);
  EXPECT_EQ((*hashed)[0].key.size(), std::string("jobs/index/owner/~/").size() + 64 + 20 + 36);
}

TEST_P(StoreLedgerTest, ReplayReturnsTheJobsCurrentState) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "k")).ok());
  JobRecord done = SampleJobRecord(kId1, "k");
  done.state = JobState::kSucceeded;
  done.attempts = 1;
  ASSERT_TRUE(ledger_->Put(done).ok());
  auto again = ledger_->Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.state, JobState::kSucceeded);
  EXPECT_EQ(again->record.attempts, 1);
}

TEST_P(StoreLedgerTest, MarkWithoutAKeyWritesNothing) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1)).ok());
  const size_t before = ObjectCount();
  EXPECT_TRUE(ledger_->MarkEnqueued(SampleJobRecord(kId1)).ok());
  EXPECT_EQ(ObjectCount(), before);
}

TEST_P(StoreLedgerTest, ClaimedCopyCarriesTheMark) {
  auto created = ledger_->Create(SampleJobRecord(kId1, "k"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(ledger_->MarkEnqueued(created->record).ok());
  ASSERT_TRUE(store_->Delete(std::string("jobs/") + kId1 + ".json").ok());
  auto again = ledger_->Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->record.enqueued);
}

// Between a creator's claim and its job record, a replay gets the job as claimed.
TEST_P(StoreLedgerTest, ReplayBeforeTheJobRecordIsWrittenReturnsTheClaimedCopy) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "k")).ok());
  ASSERT_TRUE(store_->Delete(std::string("jobs/") + kId1 + ".json").ok());
  auto again = ledger_->Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.id, kId1);
  EXPECT_EQ(again->record.state, JobState::kQueued);
}

// A store that retries a PutIfAbsent whose first attempt did land sees AlreadyExists for its
// own object: the ledger must still report the job as created.
TEST_P(StoreLedgerTest, FindingItsOwnClaimCountsAsCreated) {
  ASSERT_TRUE(store_
                  ->PutIfAbsent(std::string("jobs/idempotency/") + kAbcSha256 + ".json",
                                R"({"version":1,"id":")" + std::string(kId1) +
                                    R"(","state":"queued","prompt":"p","seed":1,"width":8,)"
                                    R"("height":8,"key":"k","error":"","attempts":0,)"
                                    R"("created_ms":1,"updated_ms":1,"idempotency_key":"abc",)"
                                    R"("request_digest":"d1"})",
                                "application/json")
                  .ok());
  auto created = ledger_->Create(SampleJobRecord(kId1, "abc"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_TRUE(ledger_->Get(kId1).ok());
}

TEST_P(StoreLedgerTest, PutInsertsThenReplaces) {
  JobRecord r = SampleJobRecord(kId1);
  r.state = JobState::kRunning;
  ASSERT_TRUE(ledger_->Put(r).ok());  // a job sent straight to the queue, never created here
  EXPECT_EQ(ledger_->Get(kId1)->state, JobState::kRunning);
  r.state = JobState::kFailed;
  r.error = "model unavailable";
  r.attempts = 3;
  ASSERT_TRUE(ledger_->Put(r).ok());
  auto got = ledger_->Get(kId1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, JobState::kFailed);
  EXPECT_EQ(got->error, "model unavailable");
  EXPECT_EQ(got->attempts, 3);
}

TEST_P(StoreLedgerTest, RemoveForgetsTheJobAndReleasesItsKey) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "k")).ok());
  ASSERT_TRUE(ledger_->Remove(kId1).ok());
  EXPECT_TRUE(ledger_->Get(kId1).status().IsNotFound());
  EXPECT_EQ(ObjectCount(), 0u);
  auto again = ledger_->Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created);
  EXPECT_EQ(again->record.id, kId2);
}

TEST_P(StoreLedgerTest, RemoveLeavesAKeyThatBelongsToAnotherJob) {
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "k")).ok());
  ASSERT_TRUE(
      ledger_->Put(SampleJobRecord(kId2, "k")).ok());  // names the key, but did not claim it
  ASSERT_TRUE(ledger_->Remove(kId2).ok());
  auto again = ledger_->Create(SampleJobRecord(NumberedJobId(3), "k"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.id, kId1);
}

TEST_P(StoreLedgerTest, AFailedJobWriteReleasesTheClaim) {
  FailingPutStore failing(*store_);
  auto ledger = Open(failing);
  failing.fail_puts = true;
  auto first = ledger->Create(SampleJobRecord(kId1, "k"));
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(first.status().IsRetryable()) << first.status().ToString();
  failing.fail_puts = false;
  // The client's retry creates the job instead of being handed one that was never recorded.
  auto retry = ledger->Create(SampleJobRecord(kId2, "k"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->created);
  EXPECT_EQ(retry->record.id, kId2);
}

TEST_P(StoreLedgerTest, SixteenCreatorsRacingWithOneKeyMakeOneJob) {
  constexpr int kThreads = 16;
  std::vector<Result<JobLedger::CreateResult>> results(kThreads, Status::Internal("not run"));
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto ledger = Open(*store_);  // one ledger each, as in separate processes
      while (!go.load()) std::this_thread::yield();
      results[static_cast<size_t>(t)] =
          ledger->Create(SampleJobRecord(NumberedJobId(t), "contended"));
    });
  }
  go.store(true);
  for (auto& thread : threads) thread.join();
  int created = 0;
  std::set<std::string> ids;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    created += result->created ? 1 : 0;
    ids.insert(result->record.id);
  }
  EXPECT_EQ(created, 1);
  ASSERT_EQ(ids.size(), 1u) << "creators saw different jobs";
  EXPECT_TRUE(ledger_->Get(*ids.begin()).ok());
  EXPECT_EQ(ObjectCount(), 3u);  // one job, one claim, one index entry: the losers wrote nothing
}

TEST_P(StoreLedgerTest, BadIdsNeverBecomeKeys) {
  const std::string bad[] = {"",
                             "../../etc/passwd",
                             "a/b",
                             "job-1",  // 'j', 'o' are not hex
                             "0190a1b2.json",
                             "0190 a1b2",
                             std::string(65, 'a'),
                             std::string("ab\0cd", 5),
                             "ab%2Fcd"};
  for (const std::string& id : bad) {
    EXPECT_TRUE(ledger_->Get(id).status().IsNotFound()) << id;
    EXPECT_TRUE(ledger_->Put(SampleJobRecord(id)).IsInvalidArgument()) << id;
    EXPECT_TRUE(ledger_->Create(SampleJobRecord(id, "k")).status().IsInvalidArgument()) << id;
    EXPECT_TRUE(ledger_->Remove(id).IsInvalidArgument()) << id;
  }
  EXPECT_EQ(ObjectCount(), 0u);
  // The longest id allowed, in both cases of hex.
  const std::string longest = std::string(32, 'A') + std::string(32, 'f');
  ASSERT_TRUE(ledger_->Put(SampleJobRecord(longest)).ok());
  EXPECT_TRUE(ledger_->Get(longest).ok());
}

TEST_P(StoreLedgerTest, CorruptOrForeignRecordsAreDataLoss) {
  const std::string key = std::string("jobs/") + kId1 + ".json";
  for (const char* body : {"{not json", "", "[]", R"({"version":1,"id":"x"})",
                           R"({"hello":"world"})", "\x89PNG\r\n"}) {
    ASSERT_TRUE(store_->Put(key, body, "application/json").ok());
    Result<JobRecord> got = ledger_->Get(kId1);
    EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << body;
    ExpectNoServerPath(got.status());
  }
}

TEST_P(StoreLedgerTest, ARecordFiledUnderAnotherIdIsDataLoss) {
  ASSERT_TRUE(ledger_->Put(SampleJobRecord(kId2)).ok());
  auto other = store_->Get(std::string("jobs/") + kId2 + ".json");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->Put(std::string("jobs/") + kId1 + ".json", other->data, "").ok());
  EXPECT_EQ(ledger_->Get(kId1).status().code(), StatusCode::kDataLoss);
  ExpectNoServerPath(ledger_->Get(kId1).status());
}

TEST_P(StoreLedgerTest, ACorruptClaimIsDataLossOnReplay) {
  ASSERT_TRUE(
      store_->Put(std::string("jobs/idempotency/") + kAbcSha256 + ".json", "garbage", "").ok());
  auto created = ledger_->Create(SampleJobRecord(kId1, "abc"));
  EXPECT_EQ(created.status().code(), StatusCode::kDataLoss) << created.status().ToString();
  ExpectNoServerPath(created.status());
}

TEST_P(StoreLedgerTest, AnUnreadableRecordCanStillBeRemoved) {
  const std::string key = std::string("jobs/") + kId1 + ".json";
  ASSERT_TRUE(store_->Put(key, "{not json", "").ok());
  ASSERT_TRUE(ledger_->Remove(kId1).ok());
  EXPECT_TRUE(store_->Head(key).status().IsNotFound());
}

TEST_P(StoreLedgerTest, StoreFailuresPassThroughRetryable) {
  FailingPutStore failing(*store_);
  auto ledger = Open(failing);
  failing.fail_puts = true;
  Status put = ledger->Put(SampleJobRecord(kId1));
  EXPECT_EQ(put.code(), StatusCode::kUnavailable);
  EXPECT_NE(put.message().find(kId1), std::string::npos) << put.message();
  EXPECT_EQ(ledger->Create(SampleJobRecord(kId1)).status().code(), StatusCode::kUnavailable);
}

TEST_P(StoreLedgerTest, TwoLedgersOnOneStoreShareJobsAndKeys) {
  auto other = Open(*store_, "/jobs/");  // the same prefix, written differently
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "shared")).ok());
  EXPECT_TRUE(other->Get(kId1).ok());
  auto second = other->Create(SampleJobRecord(kId2, "shared"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->record.id, kId1);
}

TEST_P(StoreLedgerTest, EmptyPrefixSegmentsAreDropped) {
  auto joined = Open(*store_, "/images//jobs/");  // KEY_PREFIX "images/" joined with "/jobs"
  ASSERT_NE(joined, nullptr);
  ASSERT_TRUE(joined->Create(SampleJobRecord(kId1, "abc")).ok());
  EXPECT_TRUE(store_->Head(std::string("images/jobs/") + kId1 + ".json").ok());
  EXPECT_TRUE(store_->Head(std::string("images/jobs/idempotency/") + kAbcSha256 + ".json").ok());
}

TEST_P(StoreLedgerTest, PrefixesKeepLedgersApart) {
  auto other = Open(*store_, "tenant-b/jobs");
  ASSERT_TRUE(ledger_->Create(SampleJobRecord(kId1, "k")).ok());
  EXPECT_TRUE(other->Get(kId1).status().IsNotFound());
  EXPECT_TRUE(other->Create(SampleJobRecord(kId2, "k"))->created);
  EXPECT_TRUE(store_->Head(std::string("tenant-b/jobs/") + kId2 + ".json").ok());
}

TEST_P(StoreLedgerTest, AnEmptyPrefixPutsRecordsAtTheTop) {
  auto top = Open(*store_, "");
  ASSERT_TRUE(top->Create(SampleJobRecord(kId1, "abc")).ok());
  EXPECT_TRUE(store_->Head(std::string(kId1) + ".json").ok());
  EXPECT_TRUE(store_->Head(std::string("idempotency/") + kAbcSha256 + ".json").ok());
}

TEST(StoreLedgerOpen, APrefixThatCannotBeginAKeyIsRefused) {
  testing::MemoryStore store;
  for (const char* prefix : {"../up", "a/./b", "bad\nname"}) {
    auto ledger = OpenStoreLedger(store, prefix);
    ASSERT_FALSE(ledger.ok()) << prefix;
    EXPECT_TRUE(ledger.status().IsInvalidArgument()) << prefix;
  }
}

TEST(StoreLedgerIds, AreOneToSixtyFourHexDigitsOrDashes) {
  EXPECT_TRUE(IsValidStoreLedgerId("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a51"));
  EXPECT_TRUE(IsValidStoreLedgerId("ABCDEF-0123456789"));
  EXPECT_TRUE(IsValidStoreLedgerId(std::string(64, '-')));
  EXPECT_FALSE(IsValidStoreLedgerId(""));
  EXPECT_FALSE(IsValidStoreLedgerId(std::string(65, '0')));
  EXPECT_FALSE(IsValidStoreLedgerId("g"));
  EXPECT_FALSE(IsValidStoreLedgerId("0190a1b2_c3d4"));
}

}  // namespace
}  // namespace pictor
