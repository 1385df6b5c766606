// What every WebhookOutbox promises, on SQLite, on an object store (the store ledger's) and in
// the fake.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "fakes/memory_store.h"
#include "fakes/memory_webhook_outbox.h"
#include "outbox/sqlite/sqlite_webhook_outbox.h"
#include "outbox/store/store_webhook_outbox.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

WebhookMessage Message(const std::string& id, int64_t due_ms) {
  WebhookMessage m;
  m.id = id;
  m.job_id = "job-" + id;
  m.url = "https://hooks.example.com/in?token=t";
  m.body = R"({"id":"job"})";
  m.created_ms = 1000;
  m.next_attempt_ms = due_ms;
  return m;
}

class OutboxTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-outbox-" + std::to_string(::getpid()) + "-" + GetParam() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    outbox_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    if (GetParam() == "memory") {
      // The fake keeps its messages for the test's length, as a file keeps them across opens.
      if (outbox_ == nullptr) outbox_ = std::make_unique<testing::MemoryWebhookOutbox>();
      return;
    }
    auto opened = GetParam() == "sqlite" ? OpenSqliteWebhookOutbox((dir_ / "ledger.db").string())
                                         : OpenStoreWebhookOutbox(store_, "prefix");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    outbox_ = std::move(opened).value();
  }

  fs::path dir_;
  testing::MemoryStore store_;
  std::unique_ptr<WebhookOutbox> outbox_;
};

TEST_P(OutboxTest, KeepsAMessageUntilRemovedAndSurvivesReopening) {
  ASSERT_TRUE(outbox_->Add(Message("msg_a", 100)).ok());
  Open();
  auto claimed = outbox_->Claim(100, 50, 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0], Message("msg_a", 100));
  EXPECT_EQ(*outbox_->Count(), 1);
  ASSERT_TRUE(outbox_->Remove("msg_a").ok());
  EXPECT_EQ(*outbox_->Count(), 0);
  EXPECT_TRUE(outbox_->Remove("msg_a").ok());
}

TEST_P(OutboxTest, AddingTheSameIdAgainChangesNothing) {
  ASSERT_TRUE(outbox_->Add(Message("msg_a", 100)).ok());
  WebhookMessage again = Message("msg_a", 5);
  again.body = "other";
  ASSERT_TRUE(outbox_->Add(again).ok());
  EXPECT_EQ(*outbox_->Count(), 1);
  auto claimed = outbox_->Claim(100, 50, 10);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].body, Message("msg_a", 100).body);
}

TEST_P(OutboxTest, RefusesAnIdOutsideTheAlphabet) {
  EXPECT_TRUE(outbox_->Add(Message("../x", 1)).IsInvalidArgument());
  EXPECT_TRUE(outbox_->Add(Message("", 1)).IsInvalidArgument());
}

TEST_P(OutboxTest, ClaimsOnlyDueMessagesEarliestFirstAndLeasesThem) {
  ASSERT_TRUE(outbox_->Add(Message("msg_late", 300)).ok());
  ASSERT_TRUE(outbox_->Add(Message("msg_b", 200)).ok());
  ASSERT_TRUE(outbox_->Add(Message("msg_a", 100)).ok());
  auto first = outbox_->Claim(250, 1000, 1);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].id, "msg_a");
  auto second = outbox_->Claim(250, 1000, 10);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, "msg_b");
  // Both leased until 1250: nothing more is due before then but msg_late.
  auto third = outbox_->Claim(400, 1000, 10);
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ((*third)[0].id, "msg_late");
  EXPECT_TRUE(outbox_->Claim(1200, 1000, 10)->empty());
  // A lease that runs out gives the message to the next claim.
  auto after = outbox_->Claim(1300, 1000, 10);
  EXPECT_EQ(after->size(), 2u);
}

TEST_P(OutboxTest, RescheduleRecordsTheAttemptAndTheNextTime) {
  ASSERT_TRUE(outbox_->Add(Message("msg_a", 100)).ok());
  auto claimed = outbox_->Claim(100, 50, 10);
  ASSERT_EQ(claimed->size(), 1u);
  WebhookMessage m = (*claimed)[0];
  m.attempts = 1;
  m.next_attempt_ms = 5000;
  ASSERT_TRUE(outbox_->Reschedule(m).ok());
  EXPECT_TRUE(outbox_->Claim(4999, 50, 10)->empty());
  auto due = outbox_->Claim(5000, 50, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].next_attempt_ms, 5000);
  // A message delivered by another process meanwhile stays gone.
  ASSERT_TRUE(outbox_->Remove("msg_a").ok());
  EXPECT_TRUE(outbox_->Reschedule(m).ok());
  EXPECT_EQ(*outbox_->Count(), 0);
}

INSTANTIATE_TEST_SUITE_P(Adapters, OutboxTest, ::testing::Values("sqlite", "store", "memory"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pictor
