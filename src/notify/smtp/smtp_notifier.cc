#include "notify/smtp/smtp_notifier.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "notify/alarm_message.h"

namespace pictor::notify {
namespace {

// RFC 5322 date: "Wed, 01 May 2024 12:00:00 +0000".
std::string MailDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// "\n" -> "\r\n" as SMTP requires. Dot-stuffing is left to libcurl, which does it on upload.
std::string Crlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadPayload(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* up = static_cast<Upload*>(userp);
  const size_t room = size * nitems;
  const size_t n = std::min(room, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

class SmtpNotifier final : public Notifier {
 public:
  explicit SmtpNotifier(SmtpSettings s) : s_(std::move(s)) {}

  Status Notify(const AlarmEvent& event) override {
    static std::atomic<uint64_t> sequence{0};
    const std::string message = Crlf(fmt::format(
        "Date: {}\nTo: <{}>\nFrom: Pictor alarm <{}>\nSubject: {}\nMessage-ID: "
        "<pictor-alarm-{}-{}@pictor>\nMIME-Version: 1.0\nContent-Type: text/plain; "
        "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{}",
        MailDate(event.time.time_since_epoch().count() ? event.time
                                                       : std::chrono::system_clock::now()),
        s_.recipient, s_.from, AlarmSubject(event),
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count(),
        sequence++, AlarmText(event)));

    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::Unavailable("cannot start an SMTP session");
    Upload upload{&message};
    curl_slist* rcpt = curl_slist_append(nullptr, fmt::format("<{}>", s_.recipient).c_str());
    const std::string from = fmt::format("<{}>", s_.from);
    curl_easy_setopt(curl, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadPayload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
    if (s_.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!s_.user.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, s_.user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, s_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return ToStatus(rc, reply);
  }

  std::string Describe() const override { return s_.url + " to " + s_.recipient; }

 private:
  // The one place libcurl's SMTP outcome becomes a Status.
  Status ToStatus(CURLcode rc, long reply) const {
    if (rc == CURLE_OK) return Status::Ok();
    std::string msg = fmt::format("SMTP {}: {}", s_.url, curl_easy_strerror(rc));
    if (reply != 0) msg += fmt::format(" (server reply {})", reply);
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        return Status::DeadlineExceeded(msg);
      case CURLE_LOGIN_DENIED:
        return Status::PermissionDenied(msg);
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return Status::InvalidArgument(msg);
      default:
        break;
    }
    if (reply >= 500) return Status::InvalidArgument(msg);  // permanent refusal
    return Status::Unavailable(msg);
  }

  const SmtpSettings s_;
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
  if (settings.url.rfind("smtp://", 0) != 0 && settings.url.rfind("smtps://", 0) != 0) {
    return Status::InvalidArgument("an SMTP notifier needs smtp://host:port or smtps://host:port");
  }
  if (settings.recipient.empty() || settings.recipient.find('@') == std::string::npos) {
    return Status::InvalidArgument("an SMTP notifier needs --alert-email ADDRESS");
  }
  if (settings.from.empty()) settings.from = "pictor-alarm@localhost";
  return std::unique_ptr<Notifier>(std::make_unique<SmtpNotifier>(std::move(settings)));
}

}  // namespace pictor::notify
