// Charging in the pipeline: before the model is called, against the global budgets and the
// owner's, refunded when no image was made, and recorded on the job.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/pipeline.h"
#include "fakes/fake_image_model.h"
#include "fakes/memory_ledger.h"
#include "fakes/memory_spend_ledger.h"
#include "fakes/memory_store.h"

namespace pictor {
namespace {

using testing::FakeImageModel;
using testing::MemoryLedger;
using testing::MemorySpendLedger;
using testing::MemoryStore;

constexpr int64_t kNoon = 1773144000000;  // 2026-03-10T12:00:00Z

class FixedClock final : public Clock {
 public:
  int64_t NowMs() const override { return kNoon; }
};

class MapOwnerBudgets final : public OwnerBudgets {
 public:
  Result<std::vector<Budget>> BudgetsOf(std::string_view owner) override {
    if (fail) return Status::Unavailable("key store down");
    auto it = budgets.find(std::string(owner));
    if (it == budgets.end()) return std::vector<Budget>{};
    return it->second;
  }
  std::map<std::string, std::vector<Budget>> budgets;
  bool fail = false;
};

ReceivedMessage Message(std::string id, std::string body, int receive_count = 1) {
  ReceivedMessage m;
  m.message_id = std::move(id);
  m.receipt_handle = "h-" + m.message_id;
  m.body = std::move(body);
  m.receive_count = receive_count;
  m.sent_timestamp_ms = 1000;
  return m;
}

GenerationRequest Request(std::string prompt = "a fox") {
  GenerationRequest r;
  r.prompt = std::move(prompt);
  r.seed = 3;
  return r;
}

class PipelineSpendTest : public ::testing::Test {
 protected:
  PipelineSpendTest() { model.price_usd = 1; }

  PipelineOptions Options(std::vector<Budget> budgets) {
    PipelineOptions o;
    o.spend = &spend;
    o.budgets = std::move(budgets);
    o.owner_budgets = &owners;
    o.clock = &clock;
    o.metrics = &metrics;
    o.ledger = &ledger;
    return o;
  }

  FakeImageModel model;
  MemoryStore store;
  MemorySpendLedger spend;
  MapOwnerBudgets owners;
  FixedClock clock;
  MetricsRegistry metrics;
  MemoryLedger ledger;
};

TEST_F(PipelineSpendTest, AnImageIsChargedItsPriceToItsOwnerBeforeTheModelIsCalled) {
  const Pipeline p(model, store, Options({Budget{10, BudgetPeriod::kDay}}));
  auto stored = GenerateAndStore(p, Request(), "a.png", false, Attribution{"alice", "req:1"});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_DOUBLE_EQ(stored->cost_usd, 1);
  EXPECT_EQ(spend.charges(), (std::vector<SpendCharge>{{"req:1", "alice", "fake", 1, kNoon}}));
  EXPECT_NE(
      metrics.RenderPrometheus().find("pictor_spend_usd_total{model=\"fake\",key=\"alice\"} 1"),
      std::string::npos)
      << metrics.RenderPrometheus();
}

TEST_F(PipelineSpendTest, ASpentGlobalBudgetRefusesWithoutCallingTheModel) {
  const Pipeline p(model, store, Options({Budget{2, BudgetPeriod::kDay}}));
  ASSERT_TRUE(GenerateAndStore(p, Request(), "a.png", false).ok());
  ASSERT_TRUE(GenerateAndStore(p, Request(), "b.png", false).ok());
  auto third = GenerateAndStore(p, Request(), "c.png", false);
  ASSERT_EQ(third.status().code(), StatusCode::kQuotaExceeded) << third.status().ToString();
  EXPECT_EQ(third.status().reason(), "budget_exhausted");
  EXPECT_EQ(third.status().retry_at_ms(), kNoon + 12 * 3600000);
  EXPECT_EQ(model.calls.load(), 2);
  EXPECT_FALSE(store.Head("c.png").ok());
}

TEST_F(PipelineSpendTest, AnOwnersBudgetBindsOnlyThatOwner) {
  owners.budgets["alice"] = {Budget{1, BudgetPeriod::kMonth}};
  const Pipeline p(model, store, Options({}));
  ASSERT_TRUE(GenerateAndStore(p, Request(), "a.png", false, Attribution{"alice", ""}).ok());
  auto refused = GenerateAndStore(p, Request(), "b.png", false, Attribution{"alice", ""});
  EXPECT_EQ(refused.status().code(), StatusCode::kQuotaExceeded);
  EXPECT_NE(refused.status().message().find("key alice's budget of 1 USD per month"),
            std::string::npos);
  EXPECT_TRUE(GenerateAndStore(p, Request(), "c.png", false, Attribution{"bob", ""}).ok());
  EXPECT_TRUE(GenerateAndStore(p, Request(), "d.png", false).ok());
  EXPECT_EQ(model.calls.load(), 3);
}

TEST_F(PipelineSpendTest, OwnerBudgetsThatCannotBeReadRefuseTheCharge) {
  owners.fail = true;
  const Pipeline p(model, store, Options({}));
  auto refused = GenerateAndStore(p, Request(), "a.png", false, Attribution{"alice", ""});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(model.calls.load(), 0);
}

TEST_F(PipelineSpendTest, AModelThatMakesNoImageIsRefunded) {
  model.FailNext(Status::Unavailable("model down"));
  const Pipeline p(model, store, Options({Budget{1, BudgetPeriod::kDay}}));
  EXPECT_FALSE(GenerateAndStore(p, Request(), "a.png", false, Attribution{"", "req:9"}).ok());
  EXPECT_EQ(spend.charge_calls(), 1);
  EXPECT_EQ(spend.refund_calls(), 1);
  EXPECT_TRUE(spend.charges().empty());
  EXPECT_TRUE(GenerateAndStore(p, Request(), "a.png", false).ok());  // the room came back
}

TEST_F(PipelineSpendTest, AnImageMadeButNotStoredStaysCharged) {
  store.FailNextPuts(1);
  const Pipeline p(model, store, Options({}));
  EXPECT_FALSE(GenerateAndStore(p, Request(), "a.png", false).ok());
  EXPECT_EQ(spend.charges().size(), 1u);
}

TEST_F(PipelineSpendTest, AFreeImageChargesNothing) {
  model.price_usd = 0;
  const Pipeline p(model, store, Options({Budget{1, BudgetPeriod::kDay}}));
  ASSERT_TRUE(GenerateAndStore(p, Request(), "a.png", false).ok());
  EXPECT_EQ(spend.charge_calls(), 0);
}

TEST_F(PipelineSpendTest, AJobRecordsItsCostAndIsChargedOnceAcrossDeliveries) {
  JobRecord queued;
  queued.id = "11111111-2222-3333-4444-555555555555";
  queued.owner = "alice";
  ASSERT_TRUE(ledger.Create(queued).ok());
  const Pipeline p(model, store, Options({}));
  const std::string body = R"({"job_id":")" + queued.id + R"(","prompt":"a fox"})";
  ASSERT_EQ(RunJob(p, Message("m-1", body), 5).outcome, JobOutcome::kSucceeded);
  auto job = ledger.Get(queued.id);
  ASSERT_TRUE(job.ok());
  EXPECT_DOUBLE_EQ(job->cost_usd, 1);
  ASSERT_EQ(spend.charges().size(), 1u);
  EXPECT_EQ(spend.charges()[0].id, "job:" + queued.id);
  EXPECT_EQ(spend.charges()[0].owner, "alice");
  // A redelivery reuses the stored image: no second charge, and the cost stays on the record.
  ASSERT_EQ(RunJob(p, Message("m-1", body, 2), 5).outcome, JobOutcome::kSucceeded);
  EXPECT_EQ(spend.charges().size(), 1u);
  EXPECT_DOUBLE_EQ(ledger.Get(queued.id)->cost_usd, 1);
}

TEST_F(PipelineSpendTest, AJobRefusedByItsBudgetWaitsInTheQueueForTheReset) {
  const Pipeline p(model, store, Options({Budget{0.5, BudgetPeriod::kDay}}));
  JobResult r = RunJob(p, Message("m-2", "a fox"), 5);
  EXPECT_EQ(r.outcome, JobOutcome::kDefer);
  EXPECT_EQ(r.error.code(), StatusCode::kQuotaExceeded);
  EXPECT_EQ(model.calls.load(), 0);
  auto job = ledger.Get("m-2");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->error.rfind("waiting for the budget to reset: ", 0), 0u) << job->error;
}

TEST_F(PipelineSpendTest, GlobalBudgetRoomAsksForOneImageOfTheJobSize) {
  const Pipeline p(model, store, Options({Budget{1.5, BudgetPeriod::kDay}}));
  EXPECT_TRUE(GlobalBudgetRoom(p).ok());
  ASSERT_TRUE(GenerateAndStore(p, Request(), "a.png", false).ok());
  Status spent = GlobalBudgetRoom(p);
  EXPECT_EQ(spent.code(), StatusCode::kQuotaExceeded);
  EXPECT_EQ(FormatUtcTime(spent.retry_at_ms()), "2026-03-11T00:00:00Z");
  // A key's own budget never holds the queue, nor does anything for a free model.
  model.price_usd = 0;
  EXPECT_TRUE(GlobalBudgetRoom(p).ok());
}

}  // namespace
}  // namespace pictor
