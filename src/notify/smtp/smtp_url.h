// The SMTP notifier's URL: smtp://host[:port][/helo-name] or smtps://host[:port][/helo-name].
#ifndef PICTOR_NOTIFY_SMTP_SMTP_URL_H_
#define PICTOR_NOTIFY_SMTP_SMTP_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pictor/status.h"

namespace pictor::notify {

struct SmtpUrl {
  bool implicit_tls = false;  // smtps://: TLS from the first byte
  std::string host;           // a name, an IPv4 address or an IPv6 address (no brackets)
  uint16_t port = 25;         // 25 for smtp://, 465 for smtps:// unless given
  // The name to give in EHLO/HELO; empty = the local host name. libcurl took it from the URL's
  // path, so smtp://relay:25/pictor.example.com keeps meaning what it meant.
  std::string helo_name;
};

// InvalidArgument for another scheme, an empty or malformed host, a port outside 1..65535, a
// query or fragment, or credentials in the URL (they belong in PICTOR_SMTP_USER and
// PICTOR_SMTP_PASSWORD; the message then does not repeat the URL, which holds a password).
Result<SmtpUrl> ParseSmtpUrl(std::string_view url);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_URL_H_
