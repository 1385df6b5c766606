// The SMTP notifier against a real SMTP server (tests/peers/smtp_sink.py on aiosmtpd).
#include "notify/smtp/smtp_notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "peers/peer_process.h"

namespace pictor::notify {
namespace {

class SmtpNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pictor-smtp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto sink = testing::PeerProcess::Start(
        {"/usr/bin/python3", testing::SourceDir() + "/tests/peers/smtp_sink.py", dir_.string()});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }
  void TearDown() override {
    sink_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().extension() != ".eml") continue;
      std::ifstream in(entry.path());
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::PeerProcess> sink_;
};

TEST_F(SmtpNotifierTest, DeliversOneMessageWithSubjectAndBody) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(sink_->port());
  s.recipient = "ops@example.com";
  s.from = "alarm@example.com";
  auto notifier = NewSmtpNotifier(s);
  ASSERT_TRUE(notifier.ok());
  AlarmEvent e;
  e.alarm = "age";
  e.queue = "prompts";
  e.new_state = "ALARM";
  e.old_state = "OK";
  e.value = 7;
  e.has_value = true;
  e.threshold = 3;
  ASSERT_TRUE((*notifier)->Notify(e).ok());
  // The sink writes the file before it answers 250, so it is there now.
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("X-Envelope-To: ops@example.com"), std::string::npos);
  EXPECT_NE(messages[0].find("Subject: ALARM: \"age\" on queue prompts"), std::string::npos);
  EXPECT_NE(messages[0].find("Value:      7.0"), std::string::npos) << messages[0];
}

TEST_F(SmtpNotifierTest, RefusedConnectionIsRetryable) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:1";
  s.recipient = "ops@example.com";
  auto notifier = NewSmtpNotifier(s);
  ASSERT_TRUE(notifier.ok());
  Status status = (*notifier)->Notify(AlarmEvent{});
  EXPECT_TRUE(status.IsRetryable()) << status.ToString();
}

}  // namespace
}  // namespace pictor::notify
