// The SMTP notifier against a real SMTP server (tests/peers/smtp_sink.py on aiosmtpd), in clear,
// with STARTTLS and with implicit TLS, and against a server that never answers.
#include "notify/smtp/smtp_notifier.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "peers/peer_process.h"

namespace pictor::notify {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A CA, a server certificate from it for localhost and 127.0.0.1, one from it for another name,
// and an unrelated CA: made once per test binary with the openssl command, removed at exit.
class TestCertificates {
 public:
  TestCertificates()
      : dir_(fs::temp_directory_path() / ("pictor-smtp-certs-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir_ / "server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    std::ofstream(dir_ / "elsewhere.ext") << "subjectAltName=DNS:mail.example.net\n";
    std::ofstream(dir_ / "make.sh")
        << "set -e\n"
        << "for ca in ca other-ca; do openssl req -x509 " << key << " -keyout $ca.key "
        << "-out $ca.crt -days 2 -subj \"/CN=Pictor test $ca\" "
        << "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign; done\n"
        << "for leaf in server elsewhere; do openssl req " << key << " -keyout $leaf.key "
        << "-out $leaf.csr -subj /CN=$leaf; openssl x509 -req -in $leaf.csr -CA ca.crt "
        << "-CAkey ca.key -CAcreateserial -days 2 -extfile $leaf.ext -out $leaf.crt; done\n";
    const std::string d = dir_.string();
    if (std::system(("cd '" + d + "' && sh make.sh >make.log 2>&1").c_str()) != 0) {
      std::ifstream log(dir_ / "make.log");
      std::stringstream ss;
      ss << log.rdbuf();
      error_ = "openssl could not make the test certificates: " + ss.str();
    }
  }
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;
  ~TestCertificates() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  const std::string& error() const { return error_; }  // empty when made
  std::string ca() const { return (dir_ / "ca.crt").string(); }
  std::string other_ca() const { return (dir_ / "other-ca.crt").string(); }
  std::string cert() const { return (dir_ / "server.crt").string(); }
  std::string key() const { return (dir_ / "server.key").string(); }
  std::string wrong_name_cert() const { return (dir_ / "elsewhere.crt").string(); }
  std::string wrong_name_key() const { return (dir_ / "elsewhere.key").string(); }

 private:
  fs::path dir_;
  std::string error_;
};

const TestCertificates& Certificates() {
  static const TestCertificates certs;
  return certs;
}

// A loopback port nothing listens on: bound, then released.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

AlarmEvent Event() {
  AlarmEvent e;
  e.alarm = "age";
  e.queue = "prompts";
  e.new_state = "ALARM";
  e.old_state = "OK";
  e.value = 7;
  e.has_value = true;
  e.threshold = 3;
  return e;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SmtpNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-smtp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // The test decides where CA certificates come from.
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
  }
  void TearDown() override {
    sink_.reset();
    fs::remove_all(dir_);
    ::unsetenv("SSL_CERT_FILE");
  }

  // Starts the sink with `options` (see tests/peers/smtp_sink.py); false when it did not start.
  ::testing::AssertionResult StartSink(const std::vector<std::string>& options = {}) {
    std::vector<std::string> argv{"/usr/bin/python3",
                                  testing::SourceDir() + "/tests/peers/smtp_sink.py"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(dir_.string());
    auto sink = testing::PeerProcess::Start(argv);
    if (!sink.ok()) return ::testing::AssertionFailure() << sink.status().ToString();
    sink_ = std::move(sink).value();
    return ::testing::AssertionSuccess();
  }

  // Settings for the sink; CA certificates from the test CA.
  SmtpSettings Settings(const std::string& scheme = "smtp", const std::string& host = "127.0.0.1") {
    SmtpSettings s;
    s.url = scheme + "://" + host + ":" + std::to_string(sink_->port());
    s.recipient = "ops@example.com";
    s.from = "alarm@example.com";
    s.timeout = 10s;
    return s;
  }

  static void TrustCa(const std::string& ca_file) { ::setenv("SSL_CERT_FILE", ca_file.c_str(), 1); }

  Status Send(const SmtpSettings& s, const AlarmEvent& e = Event()) {
    auto notifier = NewSmtpNotifier(s);
    if (!notifier.ok()) return notifier.status();
    return (*notifier)->Notify(e);
  }

  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.path().extension() != ".eml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<testing::PeerProcess> sink_;
};

TEST_F(SmtpNotifierTest, DeliversOneMessageWithSubjectAndBody) {
  ASSERT_TRUE(StartSink());
  AlarmEvent e = Event();
  e.time = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  Status status = Send(Settings(), e);
  ASSERT_TRUE(status.ok()) << status.ToString();
  // The sink writes the file before it answers 250, so it is there now.
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  const std::string& m = messages[0];
  EXPECT_TRUE(Has(m, "X-Envelope-From: alarm@example.com\r\n")) << m;
  EXPECT_TRUE(Has(m, "X-Envelope-To: ops@example.com\r\n")) << m;
  EXPECT_TRUE(Has(m, "Subject: ALARM: \"age\" on queue prompts\r\n")) << m;
  EXPECT_TRUE(Has(m, "Date: Wed, 01 May 2024 12:00:00 +0000\r\n")) << m;
  EXPECT_TRUE(Has(m, "From: Pictor alarm <alarm@example.com>\r\n")) << m;
  EXPECT_TRUE(Has(m, "To: <ops@example.com>\r\n")) << m;
  EXPECT_TRUE(Has(m, "Message-ID: <pictor-alarm.")) << m;
  EXPECT_TRUE(Has(m, "@example.com>\r\nMIME-Version: 1.0\r\n")) << m;
  EXPECT_TRUE(Has(m, "Content-Type: text/plain; charset=utf-8\r\n")) << m;
  EXPECT_TRUE(Has(m, "Value:      7.0\r\n")) << m;
  EXPECT_FALSE(Has(m, "X-Session-Tls")) << m;
}

TEST_F(SmtpNotifierTest, EachMessageHasItsOwnMessageId) {
  ASSERT_TRUE(StartSink());
  auto notifier = NewSmtpNotifier(Settings());
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();
  ASSERT_TRUE((*notifier)->Notify(Event()).ok());
  ASSERT_TRUE((*notifier)->Notify(Event()).ok());
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  auto id = [](const std::string& m) {
    const size_t at = m.find("Message-ID: ");
    return at == std::string::npos ? std::string() : m.substr(at, m.find("\r\n", at) - at);
  };
  EXPECT_FALSE(id(messages[0]).empty());
  EXPECT_NE(id(messages[0]), id(messages[1]));
}

TEST_F(SmtpNotifierTest, ReadsMultiLineReplies) {
  // A three-line greeting and a two-line answer to DATA: read as one reply each, or the
  // dialogue falls out of step and the delivery fails.
  ASSERT_TRUE(StartSink({"--multiline"}));
  Status status = Send(Settings());
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Messages().size(), 1u);
}

TEST_F(SmtpNotifierTest, FallsBackToHeloWhenEhloIsRefused) {
  ASSERT_TRUE(StartSink({"--no-ehlo"}));
  Status status = Send(Settings());
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Messages().size(), 1u);
}

TEST_F(SmtpNotifierTest, LinesStartingWithADotArriveIntact) {
  ASSERT_TRUE(StartSink());
  AlarmEvent e = Event();
  // Unstuffed, the lone "." would end the message early and the rest would go as commands.
  e.reason = "first\n.\n..two dots\n.one dot";
  Status status = Send(Settings(), e);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "Reason:     first\r\n.\r\n..two dots\r\n.one dot\r\n"))
      << messages[0];
}

TEST_F(SmtpNotifierTest, NonAsciiSubjectIsEncodedAndBodyGoesAs8Bit) {
  ASSERT_TRUE(StartSink());
  AlarmEvent e = Event();
  e.alarm = "âge de la file";
  Status status = Send(Settings(), e);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "Subject: =?UTF-8?B?")) << messages[0];
  EXPECT_FALSE(Has(messages[0], "Subject: ALARM: \"âge")) << messages[0];
  // aiosmtpd announces 8BITMIME: the body keeps its UTF-8 as it is.
  EXPECT_TRUE(Has(messages[0], "Content-Transfer-Encoding: 8bit\r\n")) << messages[0];
  EXPECT_TRUE(Has(messages[0], "Alarm \"âge de la file\" changed from OK to ALARM")) << messages[0];
}

TEST_F(SmtpNotifierTest, HeaderInjectionThroughTheSubjectIsRefused) {
  ASSERT_TRUE(StartSink());
  AlarmEvent e = Event();
  e.alarm = "age\r\nBcc: victim@example.org";
  Status status = Send(Settings(), e);
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_TRUE(Messages().empty());
}

TEST_F(SmtpNotifierTest, HeaderInjectionThroughAddressesIsRefused) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:2525";
  s.recipient = "ops@example.com\r\nBcc: victim@example.org";
  auto notifier = NewSmtpNotifier(s);
  ASSERT_FALSE(notifier.ok());
  EXPECT_TRUE(notifier.status().IsInvalidArgument()) << notifier.status().ToString();
  s.recipient = "ops@example.com";
  s.from = std::string("alarm@example.com\0x", 19);
  notifier = NewSmtpNotifier(s);
  ASSERT_FALSE(notifier.ok());
  EXPECT_TRUE(notifier.status().IsInvalidArgument()) << notifier.status().ToString();
}

TEST_F(SmtpNotifierTest, AddressesMustLookLikeAddresses) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:2525";
  s.recipient = "ops";
  EXPECT_TRUE(NewSmtpNotifier(s).status().IsInvalidArgument());
  s.recipient = "ops@example.com";
  s.from = "alarm at example.com";
  EXPECT_TRUE(NewSmtpNotifier(s).status().IsInvalidArgument());
  s.from = "";  // the default, pictor-alarm@localhost
  EXPECT_TRUE(NewSmtpNotifier(s).ok());
}

TEST_F(SmtpNotifierTest, AuthPlainWhenTheServerRequiresIt) {
  ASSERT_TRUE(StartSink({"--auth", "pictor:s3cret-pw"}));
  SmtpSettings s = Settings();
  s.user = "pictor";
  s.password = "s3cret-pw";
  Status status = Send(s);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "X-Session-Auth: pictor\r\n")) << messages[0];
}

TEST_F(SmtpNotifierTest, AuthLoginWhenOnlyLoginIsOffered) {
  ASSERT_TRUE(StartSink({"--auth", "pictor:s3cret-pw", "--auth-mechanisms", "LOGIN"}));
  SmtpSettings s = Settings();
  s.user = "pictor";
  s.password = "s3cret-pw";
  Status status = Send(s);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "X-Session-Auth: pictor\r\n")) << messages[0];
}

TEST_F(SmtpNotifierTest, WrongPasswordIsPermanentAndNotRepeated) {
  ASSERT_TRUE(StartSink({"--auth", "pictor:s3cret-pw"}));
  SmtpSettings s = Settings();
  s.user = "pictor";
  s.password = "wrong-pw";
  Status status = Send(s);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "535")) << status.ToString();
  EXPECT_FALSE(Has(status.message(), "wrong-pw")) << status.ToString();
  EXPECT_TRUE(Messages().empty());
}

TEST_F(SmtpNotifierTest, ServerRequiringAuthFromAnAnonymousSenderIsPermanent) {
  ASSERT_TRUE(StartSink({"--auth", "pictor:s3cret-pw"}));
  Status status = Send(Settings());
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "530")) << status.ToString();
}

TEST_F(SmtpNotifierTest, RejectedRecipientIsPermanentAndCarriesTheReply) {
  ASSERT_TRUE(StartSink({"--rcpt-reply", "550 5.1.1 <ops@example.com>: Recipient unknown"}));
  Status status = Send(Settings());
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_FALSE(status.IsRetryable());
  EXPECT_TRUE(Has(status.message(), "550 5.1.1 <ops@example.com>: Recipient unknown"))
      << status.ToString();
}

TEST_F(SmtpNotifierTest, PolicyRefusalIsPermissionDenied) {
  ASSERT_TRUE(StartSink({"--rcpt-reply", "554 5.7.1 Relay access denied"}));
  Status status = Send(Settings());
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "Relay access denied")) << status.ToString();
}

TEST_F(SmtpNotifierTest, TemporaryRefusalIsRetryable) {
  ASSERT_TRUE(StartSink({"--rcpt-reply", "451 4.7.1 Greylisted, try again later"}));
  Status status = Send(Settings());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_TRUE(status.IsRetryable());
  EXPECT_TRUE(Has(status.message(), "451 4.7.1 Greylisted, try again later")) << status.ToString();
}

TEST_F(SmtpNotifierTest, RefusedConnectionIsRetryable) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(ClosedPort());
  s.recipient = "ops@example.com";
  Status status = Send(s);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_TRUE(status.IsRetryable());
}

TEST_F(SmtpNotifierTest, SilentServerTimesOutWithinTheTimeout) {
  // Listening but never accepting: the kernel completes the TCP handshake, nobody greets.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  s.recipient = "ops@example.com";
  s.timeout = 400ms;
  auto notifier = NewSmtpNotifier(s);
  ASSERT_TRUE(notifier.ok());
  const auto start = std::chrono::steady_clock::now();
  Status status = (*notifier)->Notify(Event());
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status.ToString();
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 2s);
}

TEST_F(SmtpNotifierTest, StartTlsRequiredAndOfferedDeliversOverTls) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink({"--starttls", Certificates().cert(), Certificates().key()}));
  TrustCa(Certificates().ca());
  SmtpSettings s = Settings();
  s.starttls = true;
  Status status = Send(s);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "X-Session-Tls: TLSv1.")) << messages[0];
}

TEST_F(SmtpNotifierTest, StartTlsByHostNameThenAuth) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink(
      {"--starttls", Certificates().cert(), Certificates().key(), "--auth", "pictor:s3cret-pw"}));
  TrustCa(Certificates().ca());
  SmtpSettings s = Settings("smtp", "localhost");
  s.starttls = true;
  s.user = "pictor";
  s.password = "s3cret-pw";
  Status status = Send(s);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "X-Session-Tls: TLSv1.")) << messages[0];
  EXPECT_TRUE(Has(messages[0], "X-Session-Auth: pictor\r\n")) << messages[0];
}

TEST_F(SmtpNotifierTest, StartTlsRequiredButNotOfferedFailsClearly) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink());
  TrustCa(Certificates().ca());
  SmtpSettings s = Settings();
  s.starttls = true;
  Status status = Send(s);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "does not offer STARTTLS")) << status.ToString();
  EXPECT_TRUE(Messages().empty());
}

TEST_F(SmtpNotifierTest, WithoutStartTlsSettingTheSessionStaysInClear) {
  // The documented policy: no opportunistic upgrade (see smtp_notifier.h).
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink({"--starttls", Certificates().cert(), Certificates().key()}));
  Status status = Send(Settings());
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_FALSE(Has(messages[0], "X-Session-Tls")) << messages[0];
}

TEST_F(SmtpNotifierTest, ImplicitTlsDelivers) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink({"--implicit-tls", Certificates().cert(), Certificates().key()}));
  TrustCa(Certificates().ca());
  Status status = Send(Settings("smtps"));
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(Has(messages[0], "X-Session-Tls: TLSv1.")) << messages[0];
}

TEST_F(SmtpNotifierTest, CertificateFromAnUntrustedCaIsRefused) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(StartSink({"--implicit-tls", Certificates().cert(), Certificates().key()}));
  TrustCa(Certificates().other_ca());
  Status status = Send(Settings("smtps"));
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "certificate")) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "SSL_CERT_FILE=" + Certificates().other_ca()))
      << status.ToString();
  EXPECT_TRUE(Messages().empty());
}

TEST_F(SmtpNotifierTest, CertificateForAnotherNameIsRefused) {
  ASSERT_EQ(Certificates().error(), "");
  ASSERT_TRUE(
      StartSink({"--starttls", Certificates().wrong_name_cert(), Certificates().wrong_name_key()}));
  TrustCa(Certificates().ca());
  SmtpSettings s = Settings();
  s.starttls = true;
  Status status = Send(s);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_TRUE(Has(status.message(), "mismatch")) << status.ToString();
  EXPECT_TRUE(Messages().empty());
}

TEST_F(SmtpNotifierTest, UnreadableCaFileIsAStartUpError) {
  ::setenv("SSL_CERT_FILE", (dir_ / "missing.pem").c_str(), 1);
  SmtpSettings s;
  s.url = "smtps://127.0.0.1:4650";
  s.recipient = "ops@example.com";
  auto notifier = NewSmtpNotifier(s);
  ASSERT_FALSE(notifier.ok());
  EXPECT_TRUE(notifier.status().IsInvalidArgument()) << notifier.status().ToString();
  EXPECT_TRUE(Has(notifier.status().message(), "SSL_CERT_FILE")) << notifier.status().ToString();
}

}  // namespace
}  // namespace pictor::notify
