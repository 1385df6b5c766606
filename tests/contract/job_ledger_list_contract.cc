// The JobLedger contract, continued: List (filters, order, cursors) and the fields that came with
// it (owner, model, cost_usd), for every adapter job_ledger_adapters.cc instantiates.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "contract/job_ledger_contract.h"
#include "fakes/job_records.h"

namespace pictor::testing {
namespace {

// A job created at `created_ms` by `owner`.
JobRecord JobAt(int n, int64_t created_ms, std::string owner = "") {
  JobRecord r = SampleJobRecord(NumberedJobId(n));
  r.created_ms = r.updated_ms = created_ms;
  r.owner = std::move(owner);
  return r;
}

std::vector<std::string> Ids(const std::vector<JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const JobRecord& job : jobs) ids.push_back(job.id);
  return ids;
}

// Every page of `query`, following next_cursor to the end (at most `max_pages`).
std::vector<JobRecord> JobLedgerContractListAll(JobLedger& ledger, JobQuery query,
                                                int max_pages = 100) {
  std::vector<JobRecord> all;
  for (int page = 0; page < max_pages; ++page) {
    auto listed = ledger.List(query);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (!listed.ok()) break;
    EXPECT_LE(listed->jobs.size(), static_cast<size_t>(query.limit));
    all.insert(all.end(), listed->jobs.begin(), listed->jobs.end());
    if (listed->next_cursor.empty()) return all;
    query.cursor = listed->next_cursor;
  }
  ADD_FAILURE() << "no last page after " << max_pages << " pages";
  return all;
}

}  // namespace

TEST_P(JobLedgerContract, OwnerModelAndCostRoundTrip) {
  JobRecord record = SampleJobRecord(NumberedJobId(1), "idem");
  record.owner = "ci-bot";
  record.model = "bedrock:amazon.nova-canvas-v1:0";
  ASSERT_TRUE(ledger().Create(record).ok());
  auto got = ledger().Get(record.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->owner, "ci-bot");
  EXPECT_EQ(got->model, "bedrock:amazon.nova-canvas-v1:0");
  EXPECT_EQ(got->cost_usd, 0);
  record.state = JobState::kSucceeded;
  record.cost_usd = 0.04;
  ASSERT_TRUE(ledger().Put(record).ok());
  got = ledger().Get(record.id);
  ASSERT_TRUE(got.ok());
  EXPECT_DOUBLE_EQ(got->cost_usd, 0.04);
  EXPECT_EQ(got->owner, "ci-bot");
  JobQuery query;
  auto listed = ledger().List(query);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->jobs.size(), 1u);
  EXPECT_EQ(listed->jobs[0].model, "bedrock:amazon.nova-canvas-v1:0");
  EXPECT_DOUBLE_EQ(listed->jobs[0].cost_usd, 0.04);
}

TEST_P(JobLedgerContract, ListOfAnEmptyLedgerIsOneEmptyPage) {
  auto listed = ledger().List(JobQuery{});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(listed->jobs.empty());
  EXPECT_EQ(listed->next_cursor, "");
}

// Newest first; jobs created in the same millisecond by id. Jobs just created (SQLite's group
// commit still holds them) are listed too.
TEST_P(JobLedgerContract, ListIsNewestFirstThenById) {
  ASSERT_TRUE(ledger().Create(JobAt(1, 1000)).ok());
  ASSERT_TRUE(ledger().Create(JobAt(3, 3000)).ok());
  ASSERT_TRUE(ledger().Create(JobAt(5, 2000)).ok());
  ASSERT_TRUE(ledger().Put(JobAt(4, 2000)).ok());
  JobQuery query;
  query.limit = 10;
  auto listed = ledger().List(query);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(Ids(listed->jobs), (std::vector<std::string>{NumberedJobId(3), NumberedJobId(4),
                                                         NumberedJobId(5), NumberedJobId(1)}));
  EXPECT_EQ(listed->next_cursor, "");
}

TEST_P(JobLedgerContract, CursorsPageThroughEveryJobOnce) {
  for (int n = 1; n <= 7; ++n) {
    ASSERT_TRUE(ledger().Create(JobAt(n, 5000 + n / 2)).ok());  // pairs share a millisecond
  }
  // 6 and 7 share 5003, 4 and 5 share 5002...: by id within each.
  const std::vector<std::string> expected = {NumberedJobId(6), NumberedJobId(7), NumberedJobId(4),
                                             NumberedJobId(5), NumberedJobId(2), NumberedJobId(3),
                                             NumberedJobId(1)};
  JobQuery query;
  query.limit = 3;
  auto first = ledger().List(query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->jobs.size(), 3u);
  EXPECT_NE(first->next_cursor, "");
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), query)), expected);
  query.limit = 7;  // exactly the jobs there are: no next page
  auto whole = ledger().List(query);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(Ids(whole->jobs), expected);
  EXPECT_EQ(whole->next_cursor, "");
}

TEST_P(JobLedgerContract, ListFiltersByOwnerAndByState) {
  ASSERT_TRUE(ledger().Create(JobAt(1, 1000, "alice")).ok());
  ASSERT_TRUE(ledger().Create(JobAt(2, 2000, "bob")).ok());
  ASSERT_TRUE(ledger().Create(JobAt(3, 3000, "alice")).ok());
  ASSERT_TRUE(ledger().Create(JobAt(4, 4000)).ok());
  JobRecord done = JobAt(1, 1000, "alice");
  done.state = JobState::kSucceeded;
  ASSERT_TRUE(ledger().Put(done).ok());
  JobRecord bob_done = JobAt(2, 2000, "bob");
  bob_done.state = JobState::kSucceeded;
  ASSERT_TRUE(ledger().Put(bob_done).ok());

  JobQuery alice;
  alice.owner = "alice";
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), alice)),
            (std::vector<std::string>{NumberedJobId(3), NumberedJobId(1)}));
  JobQuery succeeded;
  succeeded.state = JobState::kSucceeded;
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), succeeded)),
            (std::vector<std::string>{NumberedJobId(2), NumberedJobId(1)}));
  JobQuery alice_queued;
  alice_queued.owner = "alice";
  alice_queued.state = JobState::kQueued;
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), alice_queued)),
            (std::vector<std::string>{NumberedJobId(3)}));
  JobQuery nobody;
  nobody.owner = "carol";
  EXPECT_TRUE(JobLedgerContractListAll(ledger(), nobody).empty());
  alice.limit = 1;  // the filter holds across pages
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), alice)),
            (std::vector<std::string>{NumberedJobId(3), NumberedJobId(1)}));
}

TEST_P(JobLedgerContract, RemovedJobsAreNotListed) {
  ASSERT_TRUE(ledger().Create(JobAt(1, 1000, "alice")).ok());
  ASSERT_TRUE(ledger().Create(JobAt(2, 2000, "alice")).ok());
  ASSERT_TRUE(ledger().Remove(NumberedJobId(2)).ok());
  JobQuery query;
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), query)),
            (std::vector<std::string>{NumberedJobId(1)}));
  query.owner = "alice";
  EXPECT_EQ(Ids(JobLedgerContractListAll(ledger(), query)),
            (std::vector<std::string>{NumberedJobId(1)}));
}

// New jobs arriving between pages (newer than every job listed) shift nothing: the pages still
// hold every job that existed when paging began, once each.
TEST_P(JobLedgerContract, CursorIsStableWhileJobsAreCreated) {
  std::vector<std::string> expected;
  for (int n = 1; n <= 10; ++n) ASSERT_TRUE(ledger().Create(JobAt(n, 1000 * n)).ok());
  for (int n = 10; n >= 1; --n) expected.push_back(NumberedJobId(n));
  JobQuery query;
  query.limit = 3;
  std::vector<std::string> seen;
  int next = 100;
  for (int page = 0; page < 10; ++page) {
    auto listed = ledger().List(query);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    for (const JobRecord& job : listed->jobs) seen.push_back(job.id);
    // Two newer jobs, and a state change of one already listed, before the next page.
    ASSERT_TRUE(ledger().Create(JobAt(next, 100000 + next)).ok());
    ASSERT_TRUE(ledger().Create(JobAt(next + 1, 100000 + next)).ok());
    next += 2;
    if (!listed->jobs.empty()) {
      JobRecord moved = listed->jobs.front();
      moved.state = JobState::kRunning;
      ASSERT_TRUE(ledger().Put(moved).ok());
    }
    if (listed->next_cursor.empty()) break;
    query.cursor = listed->next_cursor;
  }
  EXPECT_EQ(seen, expected);
}

// The same with a second ledger object (another process) creating jobs concurrently while one
// pages: no job listed twice, and every job created before paging began listed.
TEST_P(JobLedgerContract, PagingDuringConcurrentCreatesRepeatsAndSkipsNothing) {
  std::unique_ptr<JobLedger> other = under_test_->OpenAnother();
  JobLedger& writer = other ? *other : ledger();
  std::set<std::string> before;
  for (int n = 1; n <= 25; ++n) {
    ASSERT_TRUE(ledger().Create(JobAt(n, 1000 + n)).ok());
    before.insert(NumberedJobId(n));
  }
  std::atomic<bool> stop{false};
  std::thread creator([&] {
    for (int n = 1000; n < 1200 && !stop.load(); ++n) {
      // Newer than everything listed: created "now" by another server.
      ASSERT_TRUE(writer.Create(JobAt(n, 100000 + n)).ok());
    }
  });
  JobQuery query;
  query.limit = 4;
  std::vector<JobRecord> all = JobLedgerContractListAll(ledger(), query);
  stop = true;
  creator.join();
  std::set<std::string> seen;
  for (const JobRecord& job : all) {
    EXPECT_TRUE(seen.insert(job.id).second) << job.id << " listed twice";
  }
  for (const std::string& id : before) EXPECT_TRUE(seen.count(id)) << id << " skipped";
}

TEST_P(JobLedgerContract, ListRefusesALimitOutOfRangeAndAForeignCursor) {
  JobQuery query;
  for (int limit : {0, -1, kMaxJobListLimit + 1}) {
    query.limit = limit;
    auto listed = ledger().List(query);
    EXPECT_EQ(listed.status().code(), StatusCode::kInvalidArgument) << limit;
    EXPECT_EQ(listed.status().reason(), "invalid_limit") << limit;
  }
  query.limit = kMaxJobListLimit;
  EXPECT_TRUE(ledger().List(query).ok());
  for (const char* cursor : {"garbage", "j1.", "j1.!!", "j1.MTIz", "j2.MTIzOmFi"}) {
    query.cursor = cursor;
    auto listed = ledger().List(query);
    EXPECT_EQ(listed.status().code(), StatusCode::kInvalidArgument) << cursor;
    EXPECT_EQ(listed.status().reason(), "invalid_cursor") << cursor;
  }
}

}  // namespace pictor::testing
