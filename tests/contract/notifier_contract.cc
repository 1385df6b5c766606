#include "contract/notifier_contract.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "fakes/alarm_events.h"

namespace pictor::testing {

void NotifierContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

int ClosedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

namespace {

AlarmEvent Event() { return ::pictor::testing::SampleAlarmEvent(); }

}  // namespace

TEST_P(NotifierContract, AnAcceptedEventIsDeliveredOnce) {
  Status s = under_test_->notifier().Notify(Event());
  ASSERT_TRUE(s.ok()) << s.ToString();
  const int delivered = under_test_->Delivered();
  if (delivered >= 0) {
    EXPECT_EQ(delivered, 1);
  }
}

TEST_P(NotifierContract, EachEventIsDeliveredOnItsOwn) {
  for (int i = 0; i < 3; ++i) {
    Status s = under_test_->notifier().Notify(Event());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const int delivered = under_test_->Delivered();
  if (delivered >= 0) {
    EXPECT_EQ(delivered, 3);
  }
}

TEST_P(NotifierContract, AnUnreachableDestinationIsAFailureWorthRetrying) {
  std::unique_ptr<Notifier> unreachable = under_test_->Unreachable();
  ASSERT_NE(unreachable, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Status s = unreachable->Notify(Event());
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsRetryable()) << s.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  const std::string secret = under_test_->Secret();
  if (!secret.empty()) {
    EXPECT_EQ(s.ToString().find(secret), std::string::npos) << s.ToString();
  }
}

TEST_P(NotifierContract, DescribeSaysWhereWithoutASecret) {
  const std::string described = under_test_->notifier().Describe();
  EXPECT_FALSE(described.empty());
  const std::string secret = under_test_->Secret();
  if (!secret.empty()) {
    EXPECT_EQ(described.find(secret), std::string::npos) << described;
  }
}

}  // namespace pictor::testing
