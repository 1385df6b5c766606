#include "notify/smtp/smtp_message.h"

#include <fmt/format.h>

#include <ctime>

#include "core/base64.h"

namespace pictor::notify {
namespace {

// RFC 5321 4.5.3.1.6: a line is at most 1000 octets with its CRLF.
constexpr size_t kMaxLineOctets = 998;
// RFC 2047: "=?UTF-8?B?" + base64 + "?=" within 75 characters leaves 63 for base64, which is
// 45 bytes of text.
constexpr size_t kEncodedWordBytes = 45;
// RFC 2045 6.7: encoded lines are at most 76 characters, the soft break's '=' included.
constexpr size_t kQuotedPrintableLine = 76;

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsDomain(std::string_view d) {
  if (d.empty() || d.size() > 255) return false;
  if (d.front() == '[') {  // address literal: [192.0.2.1], [IPv6:2001:db8::1]
    if (d.back() != ']' || d.size() < 3) return false;
    for (char c : d.substr(1, d.size() - 2)) {
      if (c <= ' ' || c > '~' || c == '[' || c == ']' || c == '\\') return false;
    }
    return true;
  }
  size_t start = 0;
  while (start <= d.size()) {
    size_t end = d.find('.', start);
    if (end == std::string_view::npos) end = d.size();
    const std::string_view label = d.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Splits CRLF text into lines (without their CRLF) and calls `line` for each.
template <typename F>
void ForEachLine(std::string_view crlf_text, F&& line) {
  size_t start = 0;
  while (start < crlf_text.size()) {
    size_t end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    line(crlf_text.substr(start, end - start));
    start = end + 2;
  }
}

std::string_view EncodingName(BodyEncoding e) {
  switch (e) {
    case BodyEncoding::k7Bit:
      return "7bit";
    case BodyEncoding::k8Bit:
      return "8bit";
    case BodyEncoding::kQuotedPrintable:
      return "quoted-printable";
  }
  return "quoted-printable";
}

}  // namespace

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool IsMailAddress(std::string_view s) {
  if (s.size() > 254) return false;
  const size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = s.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) return false;
  }
  return IsDomain(s.substr(at + 1));
}

std::string MailDate(std::chrono::system_clock::time_point t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[tm.tm_wday % 7],
                     tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::string EncodeHeaderText(std::string_view utf8) {
  bool plain = utf8.find("=?") == std::string_view::npos && utf8.size() <= kMaxLineOctets - 100;
  for (char c : utf8) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && c != '\t')) plain = false;
  }
  if (plain) return std::string(utf8);
  std::string out;
  size_t start = 0;
  while (start < utf8.size()) {
    size_t end = std::min(start + kEncodedWordBytes, utf8.size());
    // Back off continuation bytes (10xxxxxx) so that no character is cut in two.
    while (end < utf8.size() && end > start + 1 &&
           (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(utf8.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

BodyEncoding ChooseBodyEncoding(std::string_view crlf_body, bool server_accepts_8bit) {
  bool long_line = false;
  ForEachLine(crlf_body, [&](std::string_view line) {
    if (line.size() > kMaxLineOctets) long_line = true;
  });
  if (long_line) return BodyEncoding::kQuotedPrintable;
  if (IsAscii(crlf_body)) return BodyEncoding::k7Bit;
  return server_accepts_8bit ? BodyEncoding::k8Bit : BodyEncoding::kQuotedPrintable;
}

std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') continue;
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      continue;
    }
    out += c;
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

std::string QuotedPrintable(std::string_view crlf_text) {
  std::string out;
  out.reserve(crlf_text.size() * 11 / 10 + 16);
  ForEachLine(crlf_text, [&](std::string_view line) {
    size_t width = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const auto u = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      // Trailing white space is encoded: transports may strip it.
      const bool literal = (u >= 33 && u <= 126 && u != '=') || ((u == ' ' || u == '\t') && !last);
      const std::string piece = literal ? std::string(1, line[i]) : fmt::format("={:02X}", u);
      if (width + piece.size() > kQuotedPrintableLine - 1) {
        out += "=\r\n";
        width = 0;
      }
      out += piece;
      width += piece.size();
    }
    out += "\r\n";
  });
  return out;
}

std::string FormatDataPayload(const MailMessage& m, BodyEncoding encoding) {
  std::string body = ToCrlf(m.body);
  if (encoding == BodyEncoding::kQuotedPrintable) body = QuotedPrintable(body);
  const std::string message = fmt::format(
      "Date: {}\r\n"
      "From: Pictor alarm <{}>\r\n"
      "To: <{}>\r\n"
      "Subject: {}\r\n"
      "Message-ID: <{}>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: {}\r\n"
      "\r\n"
      "{}",
      MailDate(m.date), m.from, m.to, EncodeHeaderText(m.subject), m.message_id,
      EncodingName(encoding), body);
  std::string out;
  out.reserve(message.size() + 64);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  out += ".\r\n";
  return out;
}

}  // namespace pictor::notify
