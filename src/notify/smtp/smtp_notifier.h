// Email over SMTP (RFC 5321) on Boost.Asio and OpenSSL: smtp:// (upgraded with STARTTLS when
// required) or smtps:// (TLS from the start), AUTH PLAIN or LOGIN when a user is given.
//
// One delivery is one connection: greeting, EHLO (HELO when EHLO is refused), STARTTLS and
// EHLO again if required, AUTH, MAIL FROM, RCPT TO, DATA, QUIT.
//
// TLS policy.
//  - smtps:// and smtp:// with `starttls` verify the server's certificate (chain, and the URL's
//    host name or IP address; SNI for names) against the CA certificates described in
//    net/tls_client_context.h.
//  - smtp:// without `starttls` stays in clear even when the server offers STARTTLS. An
//    opportunistic upgrade would either verify the certificate, and then fail against relays
//    that deliver today with a certificate nobody can verify (Debian's Postfix offers STARTTLS
//    with a self-signed "snakeoil" certificate out of the box), or not verify it, which only
//    defeats a passive listener while an active one strips STARTTLS from the EHLO reply
//    anyway. Alarm mail is not secret; whoever wants it encrypted sets `starttls` or uses
//    smtps://, and then gets a checked server or a clear error, never a silent downgrade.
//  - The password is never sent in clear, except to a loopback address (the bytes do not leave
//    the machine): AUTH on an unencrypted connection to any other address fails with
//    PermissionDenied before a byte of it is sent.
//
// The message: Date (RFC 5322, the alarm's time), From, To, Subject (RFC 2047 encoded words when
// not plain ASCII), Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8. The body
// goes as 7bit when ASCII, as 8bit when UTF-8 and the server announces 8BITMIME (MAIL FROM then
// says BODY=8BITMIME), else as quoted-printable, which every server carries; readable text is
// kept wherever the server allows it. Lines end in CRLF and lines starting with '.' are
// dot-stuffed.
#ifndef PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_
#define PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_

#include <chrono>
#include <memory>
#include <string>

#include "pictor/notifier.h"

namespace pictor::notify {

struct SmtpSettings {
  // "smtp://host[:port]" (port 25 by default) or "smtps://host[:port]" (465). An optional path
  // is the name given in EHLO (as with libcurl); else the local host name, or "localhost" when
  // that is not a valid domain name. IPv6 addresses go in brackets.
  std::string url;
  std::string recipient;  // --alert-email
  std::string from;       // PICTOR_SMTP_FROM; default "pictor-alarm@localhost"
  std::string user;       // PICTOR_SMTP_USER; empty = no AUTH
  std::string password;   // PICTOR_SMTP_PASSWORD; never logged, never in an error message
  bool starttls = false;  // require STARTTLS on smtp:// (see the TLS policy above)
  std::chrono::milliseconds timeout{15000};  // bounds one whole delivery, DNS to QUIT
};

// Fills from, user and password from the environment where empty.
void ApplySmtpEnvironment(SmtpSettings& settings);

// InvalidArgument when the URL is not a valid smtp:// or smtps:// URL (see smtp_url.h), when the
// recipient or sender is not an ASCII local@domain address or holds a CR, LF or NUL (header or
// command injection), when the user or password holds a NUL, CR or LF, when the timeout is not
// positive, or when TLS may be needed and SSL_CERT_FILE / SSL_CERT_DIR cannot be loaded.
//
// Notify sends one message (subject and body from alarm_message.h) within settings.timeout:
//  - InvalidArgument at once, before connecting, when the subject holds a CR, LF or NUL.
//  - Unavailable: the connection is refused or reset, the name does not resolve, the server
//    answers 4xx (greylisting, "421 too busy"), TLS fails for a reason other than the
//    certificate.
//  - DeadlineExceeded: the delivery did not finish within settings.timeout.
//  - PermissionDenied: 5xx to the greeting, EHLO, STARTTLS or AUTH (535 bad credentials); 530,
//    534, 538 or an RFC 3463 "5.7.x" policy code anywhere; a server without STARTTLS when
//    `starttls` is set; an untrusted certificate; a password that would go in clear; a user
//    set but no AUTH mechanism both sides speak (PLAIN, LOGIN).
//  - InvalidArgument: any other 5xx to MAIL FROM, RCPT TO or DATA (550 or 553 unknown
//    recipient, 552 too big).
//  - Internal: the server does not speak SMTP (a reply that is not one).
// Messages name the URL, the step and carry the server's reply text, trimmed; never the
// password. Thread-safe: concurrent Notify calls use separate connections.
Result<std::unique_ptr<Notifier>> NewSmtpNotifier(SmtpSettings settings);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_NOTIFIER_H_
