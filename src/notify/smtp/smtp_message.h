// The bytes of one alarm email: RFC 5322 headers, a MIME text/plain body, and the SMTP DATA
// framing (CRLF line ends, dot-stuffing, the final "."). Pure functions: no I/O, no clock.
#ifndef PICTOR_NOTIFY_SMTP_SMTP_MESSAGE_H_
#define PICTOR_NOTIFY_SMTP_SMTP_MESSAGE_H_

#include <chrono>
#include <string>
#include <string_view>

namespace pictor::notify {

// True when `s` holds a CR, an LF or a NUL: such a value in a header or an SMTP command would
// start a header or a command of its own (injection), so callers refuse it.
bool HasLineBreakOrNul(std::string_view s);

// local@domain, ASCII only: a dot-atom local part (RFC 5322) and a domain of letters, digits and
// hyphens in dot-separated labels, or an address literal in brackets. Quoted local parts and
// internationalised addresses (which need SMTPUTF8) are refused.
bool IsMailAddress(std::string_view s);

// "Wed, 01 May 2024 12:00:00 +0000" (RFC 5322 date-time, UTC), whatever the process's locale.
std::string MailDate(std::chrono::system_clock::time_point t);

// A header value as it goes on the wire after "Name: ". Printable ASCII stays as it is; text with
// other bytes (UTF-8), or with "=?" that a reader would take for an encoded word, becomes RFC
// 2047 encoded words (=?UTF-8?B?...?=, at most 75 characters each, never splitting a UTF-8
// sequence) on folded lines.
std::string EncodeHeaderText(std::string_view utf8);

// Which Content-Transfer-Encoding a body gets. 7bit and 8bit leave the text readable as sent;
// quoted-printable is the fallback that every server must carry.
enum class BodyEncoding { k7Bit, k8Bit, kQuotedPrintable };

// 7bit for ASCII text; 8bit for UTF-8 text when the server announced 8BITMIME (RFC 6152; the
// caller then sends MAIL FROM with BODY=8BITMIME); quoted-printable for UTF-8 text otherwise and
// for any line longer than SMTP's 998-octet limit. `crlf_body` has CRLF line ends.
BodyEncoding ChooseBodyEncoding(std::string_view crlf_body, bool server_accepts_8bit);

// Line ends ("\n", "\r\n" or a lone "\r") become CRLF; NUL bytes, which SMTP does not carry, are
// dropped. The result ends with CRLF.
std::string ToCrlf(std::string_view text);

// RFC 2045 quoted-printable of CRLF text, lines at most 76 characters.
std::string QuotedPrintable(std::string_view crlf_text);

struct MailMessage {
  std::string from;        // an address (IsMailAddress)
  std::string to;          // an address (IsMailAddress)
  std::string subject;     // UTF-8, no line break
  std::string body;        // UTF-8, "\n" line ends
  std::string message_id;  // "unique@domain", without the angle brackets
  std::chrono::system_clock::time_point date;
};

// The message as DATA sends it: headers and body with CRLF line ends, the body in `encoding`
// (from ChooseBodyEncoding on ToCrlf(message.body)), every line that starts with '.' given one
// more '.' (RFC 5321 4.5.2), and the terminating ".\r\n".
std::string FormatDataPayload(const MailMessage& message, BodyEncoding encoding);

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_MESSAGE_H_
