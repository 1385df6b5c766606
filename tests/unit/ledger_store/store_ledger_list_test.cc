// The store ledger's List beyond the contract: what a page costs in store requests (the figure
// docs/DECISIONS.md gives for S3), the bound on a state filter's work, entries the records
// contradict, and records written before the index existed.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "fakes/job_records.h"
#include "fakes/memory_store.h"
#include "ledger/store/job_record_json.h"
#include "ledger/store/store_ledger.h"
#include "pictor/object_store_wrapper.h"

namespace pictor {
namespace {

using testing::NumberedJobId;
using testing::SampleJobRecord;

// Counts the requests a ledger makes of its store.
class CountingStore final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StoredObject> Get(std::string_view key) override {
    ++gets;
    return ObjectStoreWrapper::Get(key);
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    ++heads;
    return ObjectStoreWrapper::Head(key);
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    ++lists;
    return ObjectStoreWrapper::List(prefix, max_keys);
  }
  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view after,
                                            size_t max_keys) override {
    ++lists;
    return ObjectStoreWrapper::ListAfter(prefix, after, max_keys);
  }
  void Reset() { gets = heads = lists = 0; }

  std::atomic<int> gets{0}, heads{0}, lists{0};
};

JobRecord JobAt(int n, int64_t created_ms) {
  JobRecord r = SampleJobRecord(NumberedJobId(n));
  r.created_ms = r.updated_ms = created_ms;
  return r;
}

class StoreLedgerListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = OpenStoreLedger(counting_, "jobs");
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(ledger).value();
  }

  testing::MemoryStore store_;
  CountingStore counting_{store_};
  std::unique_ptr<JobLedger> ledger_;
};

TEST_F(StoreLedgerListTest, APageCostsOneListAndAGetPerJobHoweverDeep) {
  for (int n = 1; n <= 60; ++n) ASSERT_TRUE(ledger_->Create(JobAt(n, 1000 + n)).ok());
  JobQuery query;
  query.limit = 10;
  ASSERT_TRUE(ledger_->List(query).ok());  // the first also checks for older records
  for (int page = 0; page < 6; ++page) {
    counting_.Reset();
    auto listed = ledger_->List(query);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->jobs.size(), 10u);
    EXPECT_EQ(listed->jobs.front().id, NumberedJobId(60 - 10 * page));
    EXPECT_EQ(counting_.lists.load(), 1) << "page " << page;
    EXPECT_EQ(counting_.gets.load(), 10) << "page " << page;
    EXPECT_EQ(counting_.heads.load(), 0) << "page " << page;
    query.cursor = listed->next_cursor;
  }
  EXPECT_EQ(query.cursor, "");  // 60 jobs: the sixth page was the last
}

// 300 queued jobs newer than the one that failed: a page filtered by state reads at most 256
// records, answers short with a cursor, and the cursor leads on to the failed job.
TEST_F(StoreLedgerListTest, AStateFilterReadsABoundedNumberOfRecordsPerCall) {
  JobRecord failed = JobAt(1, 1000);
  failed.state = JobState::kFailed;
  ASSERT_TRUE(ledger_->Put(failed).ok());
  for (int n = 2; n <= 301; ++n) ASSERT_TRUE(ledger_->Create(JobAt(n, 1000 + n)).ok());
  JobQuery query;
  query.state = JobState::kFailed;
  query.limit = 5;
  ASSERT_TRUE(ledger_->List(JobQuery{}).ok());  // the first List's check for older records
  counting_.Reset();
  auto first = ledger_->List(query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->jobs.empty());
  EXPECT_NE(first->next_cursor, "");
  EXPECT_EQ(counting_.lists.load(), 1);
  EXPECT_EQ(counting_.gets.load(), 256);
  query.cursor = first->next_cursor;
  auto second = ledger_->List(query);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->jobs.size(), 1u);
  EXPECT_EQ(second->jobs[0].id, failed.id);
  EXPECT_EQ(second->next_cursor, "");
}

// An entry without a record (a Create that failed between the two writes) and an entry a later
// Put with another created_ms left behind are both skipped: each job is listed once, where its
// record says.
TEST_F(StoreLedgerListTest, EntriesTheRecordsContradictAreSkipped) {
  ASSERT_TRUE(ledger_->Create(JobAt(1, 1000)).ok());
  ASSERT_TRUE(ledger_->Create(JobAt(2, 2000)).ok());
  ASSERT_TRUE(ledger_->Put(JobAt(2, 500)).ok());  // now older than job 1
  ASSERT_TRUE(store_.Put("jobs/index/newest/9223372036854774807-" + NumberedJobId(3), "", "").ok());
  ASSERT_TRUE(store_.Put("jobs/index/newest/not-an-entry", "", "").ok());
  JobQuery query;
  auto listed = ledger_->List(query);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->jobs.size(), 2u);
  EXPECT_EQ(listed->jobs[0].id, NumberedJobId(1));
  EXPECT_EQ(listed->jobs[1].id, NumberedJobId(2));
  EXPECT_EQ(listed->jobs[1].created_ms, 500);
}

TEST_F(StoreLedgerListTest, AFailedIndexWriteFailsTheCreateAndListsNothing) {
  class FailingIndex final : public ObjectStoreWrapper {
   public:
    using ObjectStoreWrapper::ObjectStoreWrapper;
    Status Put(std::string_view key, std::string_view data, std::string_view type) override {
      if (key.find("/index/") != std::string_view::npos) return Status::Unavailable("no");
      return ObjectStoreWrapper::Put(key, data, type);
    }
  } failing(store_);
  auto ledger = OpenStoreLedger(failing, "jobs");
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ((*ledger)->Create(JobAt(1, 1000)).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(ledger_->Get(NumberedJobId(1)).status().IsNotFound());
}

// Records an older release wrote (no index entries, no owner/model/cost fields) are indexed by
// the first List, once per store: a second ledger object only looks for the marker.
TEST_F(StoreLedgerListTest, RecordsFromBeforeTheIndexAreListed) {
  for (int n = 1; n <= 3; ++n) {
    const std::string id = NumberedJobId(n);
    const std::string old_record =
        R"({"version":1,"id":")" + id +
        R"(","state":"succeeded","prompt":"p","seed":7,"width":64,"height":64,"key":"k.png",)"
        R"("error":"","attempts":1,"created_ms":)" +
        std::to_string(1000 * n) + R"(,"updated_ms":1,"idempotency_key":"","request_digest":"d"})";
    ASSERT_TRUE(store_.Put("jobs/" + id + ".json", old_record, "application/json").ok());
  }
  ASSERT_TRUE(store_.Put("jobs/idempotency/x.json", "{}", "application/json").ok());
  ASSERT_TRUE(store_.Put("jobs/zz/image.png", "png", "image/png").ok());
  auto listed = ledger_->List(JobQuery{});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->jobs.size(), 3u);
  EXPECT_EQ(listed->jobs[0].id, NumberedJobId(3));
  EXPECT_EQ(listed->jobs[2].id, NumberedJobId(1));
  EXPECT_EQ(listed->jobs[0].owner, "");
  EXPECT_TRUE(store_.Head("jobs/index/complete").ok());

  auto another = OpenStoreLedger(counting_, "jobs");
  ASSERT_TRUE(another.ok());
  counting_.Reset();
  auto again = (*another)->List(JobQuery{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->jobs.size(), 3u);
  EXPECT_EQ(counting_.heads.load(), 1);
  EXPECT_EQ(counting_.lists.load(), 1);
}

}  // namespace
}  // namespace pictor
