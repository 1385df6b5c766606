// Email over SMTP through libcurl: smtp:// (optionally upgraded with STARTTLS) or smtps://
// (TLS from the start), AUTH when a user is given.
#ifndef PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_
#define PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_

#include <chrono>
#include <memory>
#include <string>

#include "pictor/notifier.h"

namespace pictor::notify {

struct SmtpSettings {
  std::string url;        // "smtp://host:port" or "smtps://host:port"
  std::string recipient;  // --alert-email
  std::string from;       // PICTOR_SMTP_FROM; default "pictor-alarm@localhost"
  std::string user;       // PICTOR_SMTP_USER; empty = no AUTH
  std::string password;   // PICTOR_SMTP_PASSWORD; never logged
  bool starttls = false;  // require STARTTLS on smtp://
  std::chrono::milliseconds timeout{15000};
};

// Fills from, user and password from the environment where empty.
void ApplySmtpEnvironment(SmtpSettings& settings);

// InvalidArgument when the URL's scheme is not smtp/smtps or there is no recipient.
// Notify sends one message (subject and body from alarm_message.h); a refused connection, a
// timeout or a 4xx reply is Unavailable / DeadlineExceeded, a 5xx reply (bad recipient, failed
// AUTH) is PermissionDenied or InvalidArgument.
Result<std::unique_ptr<Notifier>> NewSmtpNotifier(SmtpSettings settings);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_
