// The queue alarm end to end: `pictor serve --workers 0` takes prompts, `pictor alarm` watches
// the queue's ApproximateAgeOfOldestMessage (1 s period, 2 of 2, threshold 3) and emails a real
// SMTP server; a worker then drains the queue and the alarm returns to OK.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/harness.h"
#include "peers/peer_process.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Mails(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::exists(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".eml") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(ReadFile(f));
  return out;
}

// How many times `part` occurs in `text`.
size_t Occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class AlarmEmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
    mail_dir_ = dir_.path() / "mail";
    auto sink = pictor::testing::PeerProcess::Start(
        {"/usr/bin/python3", pictor::testing::SourceDir() + "/tests/peers/smtp_sink.py",
         mail_dir_.string()});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  std::unique_ptr<Process> StartAlarm(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{PictorBinary(),
                                  "alarm",
                                  "--queue",
                                  QueueSpec(dir_),
                                  "--period",
                                  "1",
                                  "--evaluation-periods",
                                  "2",
                                  "--threshold",
                                  "3"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string error;
    auto p = Process::Spawn(argv, {}, dir_.path(), dir_.path(), &error);
    EXPECT_TRUE(p) << error;
    return p;
  }

  TempDir dir_;
  fs::path mail_dir_;
  std::unique_ptr<pictor::testing::PeerProcess> sink_;
};

TEST_F(AlarmEmailTest, OneAlarmEmailWhileQueuedThenOneOkEmailOnceDrained) {
  Server server;
  ASSERT_TRUE(StartServe(dir_, &server, {"--workers", "0"}));
  auto alarm = StartAlarm({"--notify", "smtp://127.0.0.1:" + std::to_string(sink_->port()),
                           "--alert-email", "ops@example.com", "--log-level", "debug"});
  ASSERT_TRUE(alarm);
  for (int i = 0; i < 3; ++i) {
    HttpResult r = Http("POST", server.base_url + "/jobs",
                        R"({"prompt": "a lighthouse at dusk number )" + std::to_string(i) + "\"}");
    ASSERT_EQ(r.status, 202) << r.body;
  }

  // Age passes 3 s after ~3 s and must stay above it for two 1 s periods.
  ASSERT_TRUE(WaitUntil([&] { return !Mails(mail_dir_).empty(); }, 30s))
      << "no ALARM email; alarm log:\n"
      << alarm->Stderr();
  std::vector<std::string> mails = Mails(mail_dir_);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(Has(mails[0], "Subject: ALARM: \"pictor-queue-age\" on queue queue.db")) << mails[0];
  EXPECT_TRUE(Has(mails[0], "X-Envelope-To: ops@example.com")) << mails[0];
  EXPECT_TRUE(Has(mails[0], "Queue:      queue.db")) << mails[0];
  EXPECT_TRUE(Has(mails[0], "Value:      ")) << mails[0];
  EXPECT_TRUE(Has(mails[0], "GreaterThanThreshold 3.0")) << mails[0];
  EXPECT_TRUE(Has(mails[0], "were greater than the threshold (3.0)")) << mails[0];

  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir_, &worker));
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir_));
        return q && q->visible == 0 && q->in_flight == 0;
      },
      60s));
  ASSERT_TRUE(WaitUntil([&] { return Mails(mail_dir_).size() >= 2; }, 30s))
      << "no OK email; alarm log:\n"
      << alarm->Stderr();
  // The OK state holds from here: three more periods, each seen to close by the alarm (its debug
  // log says so), bring no further email.
  const std::string kClosedOk = "period closed, state OK";
  const size_t closed = Occurrences(alarm->Stderr(), kClosedOk);
  ASSERT_TRUE(WaitUntil([&] { return Occurrences(alarm->Stderr(), kClosedOk) >= closed + 3; }, 30s))
      << "the alarm stopped evaluating; its log:\n"
      << alarm->Stderr();
  mails = Mails(mail_dir_);
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_TRUE(Has(mails[1], "Subject: OK: \"pictor-queue-age\" on queue queue.db")) << mails[1];
  EXPECT_TRUE(Has(mails[1], "changed from ALARM to OK")) << mails[1];

  // The transitions were recorded and survive the process.
  alarm->Signal(SIGTERM);
  ASSERT_TRUE(alarm->Wait(10s).has_value());
  std::string error;
  auto history = Process::Spawn({PictorBinary(), "alarm", "--history", "--queue", QueueSpec(dir_)},
                                {}, dir_.path(), dir_.path() / "mail", &error);
  ASSERT_TRUE(history) << error;
  auto status = history->Wait(20s);
  ASSERT_TRUE(status && status->exited && status->code == 0) << history->Stderr();
  const std::string out = history->Stdout();
  EXPECT_TRUE(Has(out, "alarm pictor-queue-age: OK")) << out;
  EXPECT_TRUE(Has(out, "OK -> ALARM")) << out;
  EXPECT_TRUE(Has(out, "ALARM -> OK")) << out;
}

TEST_F(AlarmEmailTest, UnknownNotifierIsAUsageError) {
  auto alarm = StartAlarm({"--notify", "ftp://example.com"});
  ASSERT_TRUE(alarm);
  auto status = alarm->Wait(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 2);
  EXPECT_TRUE(Has(alarm->Stderr(), "unknown notifier")) << alarm->Stderr();
}

}  // namespace
}  // namespace pictor::integration
