#include "notify/smtp/smtp_notifier.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>

#include "core/base64.h"
#include "net/tls_client_context.h"
#include "notify/alarm_message.h"
#include "notify/smtp/smtp_connection.h"
#include "notify/smtp/smtp_message.h"
#include "notify/smtp/smtp_url.h"

namespace pictor::notify {
namespace {

using Clock = SmtpConnection::Clock;

// After the message is accepted QUIT is a courtesy: it may not hold the caller up for long.
constexpr std::chrono::milliseconds kQuitBudget{1000};

// What an EHLO reply announced (nothing after HELO).
struct Extensions {
  bool starttls = false;
  bool eight_bit_mime = false;
  bool auth = false;
  std::set<std::string> auth_mechanisms;  // upper case
};

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The first line of an EHLO reply greets; each further line is "KEYWORD [params]". Old servers
// also write "AUTH=PLAIN LOGIN".
Extensions ParseExtensions(const SmtpReply& ehlo) {
  Extensions ext;
  for (size_t i = 1; i < ehlo.lines.size(); ++i) {
    const std::string line = Upper(ehlo.lines[i]);
    const size_t end = line.find_first_of(" =");
    const std::string keyword = line.substr(0, end);
    if (keyword == "STARTTLS") ext.starttls = true;
    if (keyword == "8BITMIME") ext.eight_bit_mime = true;
    if (keyword != "AUTH") continue;
    ext.auth = true;
    size_t pos = end;
    while (pos != std::string::npos && pos < line.size()) {
      const size_t start = line.find_first_not_of(" =", pos);
      if (start == std::string::npos) break;
      pos = line.find(' ', start);
      ext.auth_mechanisms.insert(line.substr(start, pos - start));
    }
  }
  return ext;
}

// Whether a 5xx refusal is about who we are (PermissionDenied) rather than about this message
// (InvalidArgument).
enum class Step { kSession, kMessage };

// The one place a server reply becomes a Status.
Status RefusedBy(std::string_view what, const SmtpReply& reply, Step step) {
  const std::string text = reply.Text();
  const std::string msg =
      fmt::format("{} refused: {}{}{}", what, reply.code, text.empty() ? "" : " ", text);
  if (reply.code >= 400 && reply.code < 500) return Status::Unavailable(msg);
  if (reply.code >= 500) {
    const bool policy = step == Step::kSession || reply.code == 530 || reply.code == 534 ||
                        reply.code == 535 || reply.code == 538 || text.starts_with("5.7.");
    return policy ? Status::PermissionDenied(msg) : Status::InvalidArgument(msg);
  }
  return Status::Internal(
      fmt::format("{}: unexpected reply {}{}{}", what, reply.code, text.empty() ? "" : " ", text));
}

// The name for EHLO: the host name when it is a plausible domain name (RFC 5321 4.1.1.1),
// "localhost" otherwise.
std::string LocalHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  for (const char* p = name; *p != '\0'; ++p) {
    if (!std::isalnum(static_cast<unsigned char>(*p)) && *p != '-' && *p != '.') {
      return "localhost";
    }
  }
  return name;
}

std::string MessageId(const std::string& from) {
  static std::atomic<uint64_t> sequence{0};
  uint64_t random = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof random) != 1) random = 0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return fmt::format("pictor-alarm.{}.{}.{:016x}@{}", ms, sequence++, random,
                     from.substr(from.rfind('@') + 1));
}

class SmtpNotifier final : public Notifier {
 public:
  SmtpNotifier(SmtpSettings s, SmtpUrl url, std::optional<net::TlsClientContext> tls)
      : s_(std::move(s)),
        url_(std::move(url)),
        tls_(std::move(tls)),
        helo_name_(url_.helo_name.empty() ? LocalHostName() : url_.helo_name) {}

  Status Notify(const AlarmEvent& event) override {
    MailMessage m;
    m.subject = AlarmSubject(event);
    if (HasLineBreakOrNul(m.subject)) {
      return Status::InvalidArgument(
          fmt::format("SMTP {}: the subject would hold a line break or NUL (from the alarm or "
                      "queue name); not sent",
                      s_.url));
    }
    m.from = s_.from;
    m.to = s_.recipient;
    m.body = AlarmText(event);
    m.date =
        event.time.time_since_epoch().count() != 0 ? event.time : std::chrono::system_clock::now();
    m.message_id = MessageId(s_.from);
    SmtpConnection connection(s_.timeout);
    if (!s_.password.empty()) {
      // Our own words never hold the password; the server's could echo what it was sent.
      connection.HideInReplies({s_.password, Base64Encode(s_.password),
                                Base64Encode(std::string(1, '\0') + s_.user + '\0' + s_.password)});
    }
    const Status status = Deliver(connection, m);
    if (status.ok()) return status;
    return status.WithContext(fmt::format("SMTP {}", s_.url));
  }

  std::string Describe() const override { return s_.url + " to " + s_.recipient; }

 private:
  // Sends `command` (with its CRLF) and reads the reply.
  static Result<SmtpReply> Exchange(SmtpConnection& c, const std::string& command) {
    Status sent = c.Write(command);
    if (!sent.ok()) return sent;
    return c.ReadReply();
  }

  Status Deliver(SmtpConnection& c, const MailMessage& m) const {
    if (Status st = c.Connect(url_.host, url_.port); !st.ok()) return st;
    if (url_.implicit_tls) {
      if (Status st = c.StartTls(*tls_->context, url_.host, tls_->trust_source); !st.ok()) {
        return st;
      }
    }
    auto greeting = c.ReadReply();
    if (!greeting.ok()) return greeting.status().WithContext("greeting");
    if (greeting->code != 220) return RefusedBy("the session", *greeting, Step::kSession);

    auto ext = Hello(c);
    if (!ext.ok()) return ext.status();
    if (s_.starttls && !c.encrypted()) {
      if (Status st = StartTls(c, *ext); !st.ok()) return st;
      ext = Hello(c);
      if (!ext.ok()) return ext.status();
    }
    if (!s_.user.empty()) {
      if (Status st = Authenticate(c, *ext); !st.ok()) return st;
    }

    const BodyEncoding encoding = ChooseBodyEncoding(ToCrlf(m.body), ext->eight_bit_mime);
    const std::string mail_from = fmt::format(
        "MAIL FROM:<{}>{}\r\n", m.from, encoding == BodyEncoding::k8Bit ? " BODY=8BITMIME" : "");
    auto reply = Exchange(c, mail_from);
    if (!reply.ok()) return reply.status().WithContext("MAIL FROM");
    if (reply->code != 250) {
      return RefusedBy(fmt::format("MAIL FROM:<{}>", m.from), *reply, Step::kMessage);
    }
    reply = Exchange(c, fmt::format("RCPT TO:<{}>\r\n", m.to));
    if (!reply.ok()) return reply.status().WithContext("RCPT TO");
    if (reply->code != 250 && reply->code != 251) {
      return RefusedBy(fmt::format("RCPT TO:<{}>", m.to), *reply, Step::kMessage);
    }
    reply = Exchange(c, "DATA\r\n");
    if (!reply.ok()) return reply.status().WithContext("DATA");
    if (reply->code != 354) return RefusedBy("DATA", *reply, Step::kMessage);
    if (Status st = c.Write(FormatDataPayload(m, encoding)); !st.ok()) {
      return st.WithContext("message");
    }
    reply = c.ReadReply();
    if (!reply.ok()) return reply.status().WithContext("end of message");
    if (reply->code != 250) return RefusedBy("the message", *reply, Step::kMessage);

    // Delivered; how QUIT goes changes nothing.
    c.set_deadline(std::min(c.deadline(), Clock::now() + kQuitBudget));
    (void)Exchange(c, "QUIT\r\n");
    return Status::Ok();
  }

  // EHLO, or HELO when the server refuses EHLO with 5xx (a pre-ESMTP server).
  Result<Extensions> Hello(SmtpConnection& c) const {
    auto reply = Exchange(c, fmt::format("EHLO {}\r\n", helo_name_));
    if (!reply.ok()) return reply.status().WithContext("EHLO");
    if (reply->code == 250) return ParseExtensions(*reply);
    if (reply->code < 500) return RefusedBy("EHLO", *reply, Step::kSession);
    reply = Exchange(c, fmt::format("HELO {}\r\n", helo_name_));
    if (!reply.ok()) return reply.status().WithContext("HELO");
    if (reply->code != 250) return RefusedBy("HELO", *reply, Step::kSession);
    return Extensions{};
  }

  Status StartTls(SmtpConnection& c, const Extensions& ext) const {
    if (!ext.starttls) {
      return Status::PermissionDenied(
          "the server does not offer STARTTLS, which --smtp-starttls requires; not sent");
    }
    auto reply = Exchange(c, "STARTTLS\r\n");
    if (!reply.ok()) return reply.status().WithContext("STARTTLS");
    if (reply->code != 220) return RefusedBy("STARTTLS", *reply, Step::kSession);
    if (c.has_unread_input()) {
      return Status::Internal(
          "the server sent more than its STARTTLS reply before TLS started (RFC 3207 5); not "
          "sent");
    }
    return c.StartTls(*tls_->context, url_.host, tls_->trust_source);
  }

  Status Authenticate(SmtpConnection& c, const Extensions& ext) const {
    if (!c.encrypted() && !c.peer_is_loopback()) {
      return Status::PermissionDenied(fmt::format(
          "refusing to send the SMTP password in clear to {}; use smtps:// or --smtp-starttls",
          url_.host));
    }
    if (!ext.auth) {
      return Status::PermissionDenied(
          "PICTOR_SMTP_USER is set but the server offers no AUTH on this connection");
    }
    Result<SmtpReply> reply = Status::Internal("no AUTH mechanism");
    if (ext.auth_mechanisms.count("PLAIN") != 0) {
      // RFC 4616: authorization identity (empty), NUL, user, NUL, password.
      reply = Exchange(c, "AUTH PLAIN " +
                              Base64Encode(std::string(1, '\0') + s_.user + '\0' + s_.password) +
                              "\r\n");
    } else if (ext.auth_mechanisms.count("LOGIN") != 0) {
      reply = Exchange(c, "AUTH LOGIN\r\n");
      if (reply.ok() && reply->code == 334) reply = Exchange(c, Base64Encode(s_.user) + "\r\n");
      if (reply.ok() && reply->code == 334) reply = Exchange(c, Base64Encode(s_.password) + "\r\n");
    } else {
      std::string offered;
      for (const auto& mech : ext.auth_mechanisms) offered += (offered.empty() ? "" : " ") + mech;
      return Status::PermissionDenied(
          fmt::format("the server offers AUTH {} but Pictor speaks only PLAIN and LOGIN", offered));
    }
    if (!reply.ok()) return reply.status().WithContext("AUTH");
    if (reply->code != 235) return RefusedBy("AUTH", *reply, Step::kSession);
    return Status::Ok();
  }

  const SmtpSettings s_;
  const SmtpUrl url_;
  const std::optional<net::TlsClientContext> tls_;  // set when TLS may be used
  const std::string helo_name_;
};

}  // namespace

void ApplySmtpEnvironment(SmtpSettings& s) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  if (s.from.empty()) s.from = env("PICTOR_SMTP_FROM");
  if (s.from.empty()) s.from = "pictor-alarm@localhost";
  if (s.user.empty()) s.user = env("PICTOR_SMTP_USER");
  if (s.password.empty()) s.password = env("PICTOR_SMTP_PASSWORD");
}

Result<std::unique_ptr<Notifier>> NewSmtpNotifier(SmtpSettings settings) {
  auto url = ParseSmtpUrl(settings.url);
  if (!url.ok()) return url.status();
  if (settings.recipient.empty()) {
    return Status::InvalidArgument("an SMTP notifier needs --alert-email ADDRESS");
  }
  if (settings.from.empty()) settings.from = "pictor-alarm@localhost";
  for (const auto& [what, address] : {std::pair<std::string_view, const std::string&>{
                                          "recipient (--alert-email)", settings.recipient},
                                      {"sender (PICTOR_SMTP_FROM)", settings.from}}) {
    if (HasLineBreakOrNul(address)) {
      return Status::InvalidArgument(fmt::format("the SMTP {} holds a line break or NUL", what));
    }
    if (!IsMailAddress(address)) {
      return Status::InvalidArgument(
          fmt::format("the SMTP {} '{}' is not an address like name@example.com", what, address));
    }
  }
  if (HasLineBreakOrNul(settings.user) || HasLineBreakOrNul(settings.password)) {
    return Status::InvalidArgument(
        "PICTOR_SMTP_USER or PICTOR_SMTP_PASSWORD holds a line break or NUL");
  }
  if (settings.timeout.count() <= 0) {
    return Status::InvalidArgument("the SMTP timeout must be positive");
  }
  std::optional<net::TlsClientContext> tls;
  if (url->implicit_tls || settings.starttls) {
    auto context = net::NewTlsClientContext();
    if (!context.ok()) return context.status().WithContext(fmt::format("SMTP {}", settings.url));
    tls = std::move(context).value();
  }
  return std::unique_ptr<Notifier>(
      std::make_unique<SmtpNotifier>(std::move(settings), std::move(url).value(), std::move(tls)));
}

}  // namespace pictor::notify
