// The queue alarm's webhook notifier end to end: `pictor serve --workers 0` runs the alarm
// in-process on a SQLite queue and POSTs to a local receiver (webhook_sink.py) that checks every
// X-Pictor-Signature against PICTOR_WEBHOOK_SECRET; the receiver gets one ALARM then one OK
// Slack-compatible JSON body, and a 500 on the first delivery is retried.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/harness.h"
#include "peers/peer_process.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "webhook-test-secret";

// The receiver's records (see webhook_sink.py), in arrival order.
// How many times `part` occurs in `text`.
size_t Occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::vector<nlohmann::json> Posts(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::exists(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<nlohmann::json> out;
  for (const auto& f : files) out.push_back(nlohmann::json::parse(ReadFile(f), nullptr, false));
  return out;
}

class AlarmWebhookTest : public ::testing::Test {
 protected:
  void StartReceiver(bool fail_first) {
    ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
    posts_ = dir_.path() / "posts";
    auto sink = pictor::testing::PeerProcess::Start(
        {"/usr/bin/python3", pictor::testing::SourceDir() + "/tests/peers/webhook_sink.py",
         posts_.string(), kSecret, fail_first ? "1" : "0"});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  // serve with the alarm (1 s period, 2 of 2, threshold 3 s) notifying the receiver, and three
  // prompts queued.
  void StartServeAndQueue() {
    ASSERT_TRUE(
        StartServe(dir_, &server_,
                   {"--workers", "0", "--period", "1", "--evaluation-periods", "2", "--threshold",
                    "3", "--notify", sink_->base_url() + "/hooks/alarm", "--log-level", "debug"},
                   {{"PICTOR_WEBHOOK_SECRET", kSecret}}));
    for (int i = 0; i < 3; ++i) {
      HttpResult r =
          Http("POST", server_.base_url + "/jobs",
               R"({"prompt": "a kite over the dunes number )" + std::to_string(i) + "\"}");
      ASSERT_EQ(r.status, 202) << r.body;
    }
  }

  // Waits until the receiver answered 200 to `count` posts.
  bool AwaitAccepted(size_t count, std::chrono::milliseconds timeout) {
    return WaitUntil(
        [&] {
          auto posts = Posts(posts_);
          return static_cast<size_t>(std::count_if(posts.begin(), posts.end(), [](const auto& p) {
                   return p.value("status", 0) == 200;
                 })) >= count;
        },
        timeout);
  }

  void DrainWithWorker() {
    ASSERT_TRUE(StartWorker(dir_, &worker_));
    ASSERT_TRUE(WaitUntil(
        [&] {
          auto q = QueueState(QueuePath(dir_));
          return q && q->visible == 0 && q->in_flight == 0;
        },
        60s));
  }

  static void ExpectNotification(const nlohmann::json& post, const std::string& from,
                                 const std::string& to) {
    ASSERT_TRUE(post.is_object());
    EXPECT_TRUE(post.value("signature_ok", false)) << post.dump();
    EXPECT_EQ(post.value("content_type", ""), "application/json");
    const nlohmann::json& body = post["body"];
    ASSERT_TRUE(body.is_object()) << post.dump();
    EXPECT_EQ(body.value("old_state", ""), from);
    EXPECT_EQ(body.value("new_state", ""), to);
    EXPECT_EQ(body.value("queue", ""), "queue.db");
    EXPECT_EQ(body.value("threshold", 0.0), 3.0);
    const std::string text = body.value("text", "");
    EXPECT_EQ(text.rfind(to + ": \"pictor-queue-age\" on queue queue.db", 0), 0u) << text;
  }

  TempDir dir_;
  fs::path posts_;
  std::unique_ptr<pictor::testing::PeerProcess> sink_;
  Server server_;
  std::unique_ptr<Process> worker_;
};

TEST_F(AlarmWebhookTest, OneSignedAlarmPostWhileQueuedThenOneSignedOkPostOnceDrained) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(false));
  ASSERT_NO_FATAL_FAILURE(StartServeAndQueue());
  ASSERT_TRUE(AwaitAccepted(1, 30s)) << "no ALARM post; serve log:\n" << server_.process->Stderr();
  ASSERT_NO_FATAL_FAILURE(DrainWithWorker());
  ASSERT_TRUE(AwaitAccepted(2, 30s)) << "no OK post; serve log:\n" << server_.process->Stderr();
  // Three more periods of OK, each seen to close by the alarm (its debug log says so), bring no
  // further post.
  const std::string kClosedOk = "period closed, state OK";
  const size_t closed = Occurrences(server_.process->Stderr(), kClosedOk);
  ASSERT_TRUE(WaitUntil(
      [&] { return Occurrences(server_.process->Stderr(), kClosedOk) >= closed + 3; }, 30s))
      << "the alarm stopped evaluating; serve log:\n"
      << server_.process->Stderr();
  auto posts = Posts(posts_);
  ASSERT_EQ(posts.size(), 2u);
  ExpectNotification(posts[0], "OK", "ALARM");
  ExpectNotification(posts[1], "ALARM", "OK");
  EXPECT_EQ(posts[1]["body"].value("value", -1.0), 0.0);
}

TEST_F(AlarmWebhookTest, ADeliveryAnswered500IsRetriedAndEvaluationGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(true));
  ASSERT_NO_FATAL_FAILURE(StartServeAndQueue());
  ASSERT_TRUE(AwaitAccepted(1, 30s)) << "no ALARM post; serve log:\n" << server_.process->Stderr();
  auto posts = Posts(posts_);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].value("status", 0), 500);
  EXPECT_EQ(posts[1].value("status", 0), 200);
  ExpectNotification(posts[0], "OK", "ALARM");
  EXPECT_EQ(posts[1]["body"], posts[0]["body"]) << "the retry must carry the same event";
  EXPECT_NE(server_.process->Stderr().find("failed (attempt 1)"), std::string::npos)
      << server_.process->Stderr();

  // The alarm kept evaluating through the failed delivery: it still sees the queue drain.
  ASSERT_NO_FATAL_FAILURE(DrainWithWorker());
  ASSERT_TRUE(AwaitAccepted(2, 30s)) << "no OK post; serve log:\n" << server_.process->Stderr();
  posts = Posts(posts_);
  ASSERT_EQ(posts.size(), 3u);
  ExpectNotification(posts[2], "ALARM", "OK");
}

}  // namespace
}  // namespace pictor::integration
