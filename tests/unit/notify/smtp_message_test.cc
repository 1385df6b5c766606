// The SMTP notifier's pure parts: its URL, the message bytes, reply lines, the loopback rule.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "notify/smtp/smtp_connection.h"
#include "notify/smtp/smtp_message.h"
#include "notify/smtp/smtp_url.h"

namespace pictor::notify {
namespace {

std::string Unbase64(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return "<bad base64>";
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// The encoded words of a header value, in order.
std::vector<std::string> EncodedWords(const std::string& value) {
  std::vector<std::string> words;
  size_t pos = 0;
  while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = value.find("?=", pos + 10);
    if (end == std::string::npos) break;
    words.push_back(value.substr(pos, end + 2 - pos));
    pos = end + 2;
  }
  return words;
}

TEST(SmtpUrlTest, SchemesHaveTheirDefaultPorts) {
  auto plain = ParseSmtpUrl("smtp://mail.example.com");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->implicit_tls);
  EXPECT_EQ(plain->host, "mail.example.com");
  EXPECT_EQ(plain->port, 25);
  auto tls = ParseSmtpUrl("smtps://mail.example.com");
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_TRUE(tls->implicit_tls);
  EXPECT_EQ(tls->port, 465);
}

TEST(SmtpUrlTest, ReadsPortIpv6AndHeloName) {
  auto url = ParseSmtpUrl("smtp://[::1]:2525/pictor.example.com");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 2525);
  EXPECT_EQ(url->helo_name, "pictor.example.com");
  auto slash = ParseSmtpUrl("smtp://127.0.0.1:587/");
  ASSERT_TRUE(slash.ok()) << slash.status().ToString();
  EXPECT_EQ(slash->port, 587);
  EXPECT_EQ(slash->helo_name, "");
}

TEST(SmtpUrlTest, RejectsMalformedUrls) {
  for (const char* bad :
       {"http://mail:25", "smtp://", "smtp://:25", "smtp://mail:0", "smtp://mail:65536",
        "smtp://mail:25x", "smtp://mail:", "smtp://[::1", "smtp://[nothost]:25", "smtp://ma il",
        "smtp://mail:25?x=1", "smtp://mail/a b"}) {
    auto url = ParseSmtpUrl(bad);
    EXPECT_FALSE(url.ok()) << bad;
    EXPECT_TRUE(url.status().IsInvalidArgument()) << bad;
  }
}

TEST(SmtpUrlTest, CredentialsInTheUrlAreRejectedWithoutRepeatingThem) {
  for (const char* url : {"smtp://ops:hunter2@mail:25", "smtps://ops:hunt/er2@mail"}) {
    auto parsed = ParseSmtpUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_TRUE(parsed.status().IsInvalidArgument());
    EXPECT_EQ(parsed.status().message().find("hunt"), std::string::npos)
        << parsed.status().ToString();
    EXPECT_NE(parsed.status().message().find("PICTOR_SMTP_PASSWORD"), std::string::npos);
  }
}

TEST(SmtpMessageTest, AddressesMustLookLikeLocalAtDomain) {
  for (const char* good :
       {"ops@example.com", "pictor-alarm@localhost", "a.b+tag@mail.example.org", "x@[192.0.2.1]"}) {
    EXPECT_TRUE(IsMailAddress(good)) << good;
  }
  for (const char* bad :
       {"", "ops", "@example.com", "ops@", "ops@@example.com", "o ps@example.com",
        "ops@exa mple.com", "<ops@example.com>", ".ops@example.com", "o..ps@example.com",
        "ops@-example.com", "ops@example..com", "opé@example.com", "ops@example.com>"}) {
    EXPECT_FALSE(IsMailAddress(bad)) << bad;
  }
}

TEST(SmtpMessageTest, LineBreaksAndNulAreFound) {
  EXPECT_FALSE(HasLineBreakOrNul("ALARM: \"age\" on queue q"));
  EXPECT_TRUE(HasLineBreakOrNul("a\r\nBcc: x@example.com"));
  EXPECT_TRUE(HasLineBreakOrNul("a\nb"));
  EXPECT_TRUE(HasLineBreakOrNul("a\rb"));
  EXPECT_TRUE(HasLineBreakOrNul(std::string("a\0b", 3)));
}

TEST(SmtpMessageTest, DateIsRfc5322InUtc) {
  const std::chrono::system_clock::time_point t(std::chrono::seconds(1714564800));
  EXPECT_EQ(MailDate(t), "Wed, 01 May 2024 12:00:00 +0000");
}

TEST(SmtpMessageTest, AsciiSubjectStaysReadable) {
  EXPECT_EQ(EncodeHeaderText("ALARM: \"age\" on queue prompts"), "ALARM: \"age\" on queue prompts");
}

TEST(SmtpMessageTest, NonAsciiSubjectBecomesEncodedWordsThatDecodeBack) {
  std::string subject = "ALARM: \"file d’attente\" on queue prompts — ";
  for (int i = 0; i < 8; ++i) subject += "éèê⚠";
  const std::string encoded = EncodeHeaderText(subject);
  const auto words = EncodedWords(encoded);
  ASSERT_GT(words.size(), 1u) << encoded;
  std::string decoded;
  for (const auto& word : words) {
    EXPECT_LE(word.size(), 75u) << word;
    const std::string bytes = Unbase64(word.substr(10, word.size() - 12));
    ASSERT_FALSE(bytes.empty());
    // Each word starts on a character: never a UTF-8 continuation byte.
    EXPECT_NE(static_cast<unsigned char>(bytes[0]) & 0xC0, 0x80) << word;
    decoded += bytes;
  }
  EXPECT_EQ(decoded, subject);
  // Folded between words, never inside one; no bare line feed.
  EXPECT_EQ(encoded.find('\n'), encoded.find("\r\n") + 1);
}

TEST(SmtpMessageTest, TextThatLooksEncodedIsEncoded) {
  EXPECT_EQ(EncodedWords(EncodeHeaderText("=?UTF-8?B?aGk=?=")).size(), 1u);
}

TEST(SmtpMessageTest, BodyEncodingDependsOnTextAndServer) {
  EXPECT_EQ(ChooseBodyEncoding("plain text\r\n", false), BodyEncoding::k7Bit);
  EXPECT_EQ(ChooseBodyEncoding("plain text\r\n", true), BodyEncoding::k7Bit);
  EXPECT_EQ(ChooseBodyEncoding("déjà vu\r\n", true), BodyEncoding::k8Bit);
  EXPECT_EQ(ChooseBodyEncoding("déjà vu\r\n", false), BodyEncoding::kQuotedPrintable);
  EXPECT_EQ(ChooseBodyEncoding(std::string(999, 'x') + "\r\n", true),
            BodyEncoding::kQuotedPrintable);
  EXPECT_EQ(ChooseBodyEncoding(std::string(998, 'x') + "\r\n", true), BodyEncoding::k7Bit);
}

TEST(SmtpMessageTest, LineEndsBecomeCrlfAndNulIsDropped) {
  EXPECT_EQ(ToCrlf(std::string("a\nb\r\nc\rd\0e", 10)), "a\r\nb\r\nc\r\nde\r\n");
  EXPECT_EQ(ToCrlf("ends\n"), "ends\r\n");
}

TEST(SmtpMessageTest, QuotedPrintableEncodesAndWraps) {
  EXPECT_EQ(QuotedPrintable("a=b\r\n"), "a=3Db\r\n");
  EXPECT_EQ(QuotedPrintable("trailing \r\n"), "trailing=20\r\n");
  EXPECT_EQ(QuotedPrintable("é\r\n"), "=C3=A9\r\n");
  const std::string wrapped = QuotedPrintable(std::string(200, 'x') + "\r\n");
  size_t start = 0;
  std::string joined;
  while (start < wrapped.size()) {
    const size_t end = wrapped.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string line = wrapped.substr(start, end - start);
    EXPECT_LE(line.size(), 76u);
    if (!line.empty() && line.back() == '=') line.pop_back();
    joined += line;
    start = end + 2;
  }
  EXPECT_EQ(joined, std::string(200, 'x'));
}

MailMessage Message(std::string body) {
  MailMessage m;
  m.from = "alarm@example.com";
  m.to = "ops@example.com";
  m.subject = "ALARM: \"age\" on queue prompts";
  m.body = std::move(body);
  m.message_id = "pictor-alarm.1@example.com";
  m.date = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  return m;
}

TEST(SmtpMessageTest, PayloadHasTheHeadersAndCrlfLineEnds) {
  const std::string payload = FormatDataPayload(Message("hello\n"), BodyEncoding::k7Bit);
  for (const char* header :
       {"Date: Wed, 01 May 2024 12:00:00 +0000\r\n", "From: Pictor alarm <alarm@example.com>\r\n",
        "To: <ops@example.com>\r\n", "Subject: ALARM: \"age\" on queue prompts\r\n",
        "Message-ID: <pictor-alarm.1@example.com>\r\n", "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n", "Content-Transfer-Encoding: 7bit\r\n"}) {
    EXPECT_NE(payload.find(header), std::string::npos) << header;
  }
  EXPECT_TRUE(payload.ends_with("\r\n\r\nhello\r\n.\r\n")) << payload;
  for (size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '\n') {
      EXPECT_EQ(payload[i - 1], '\r') << "bare LF at " << i;
    }
  }
}

TEST(SmtpMessageTest, LinesStartingWithADotAreStuffed) {
  const std::string payload =
      FormatDataPayload(Message(".\n..two\nmid.dle\n.end"), BodyEncoding::k7Bit);
  EXPECT_TRUE(payload.ends_with("\r\n\r\n..\r\n...two\r\nmid.dle\r\n..end\r\n.\r\n")) << payload;
}

TEST(SmtpMessageTest, QuotedPrintableBodyIsDeclared) {
  const std::string payload = FormatDataPayload(Message("déjà\n"), BodyEncoding::kQuotedPrintable);
  EXPECT_NE(payload.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_TRUE(payload.ends_with("\r\n\r\nd=C3=A9j=C3=A0\r\n.\r\n")) << payload;
}

TEST(SmtpReplyTest, ParsesReplyLines) {
  int code = 0;
  std::string text;
  bool more = false;
  ASSERT_TRUE(ParseReplyLine("250-SIZE 1000", code, text, more));
  EXPECT_EQ(code, 250);
  EXPECT_EQ(text, "SIZE 1000");
  EXPECT_TRUE(more);
  ASSERT_TRUE(ParseReplyLine("550 5.1.1 No such user", code, text, more));
  EXPECT_EQ(code, 550);
  EXPECT_EQ(text, "5.1.1 No such user");
  EXPECT_FALSE(more);
  ASSERT_TRUE(ParseReplyLine("250", code, text, more));
  EXPECT_EQ(text, "");
  EXPECT_FALSE(more);
  for (const char* bad : {"", "25", "HTTP/1.1 400 Bad Request", "250x", "099 low", "600 high"}) {
    EXPECT_FALSE(ParseReplyLine(bad, code, text, more)) << bad;
  }
}

TEST(SmtpReplyTest, TextIsPrintableAndBounded) {
  SmtpReply reply{550, {"5.1.1 bad\x1b[31m", "second line"}};
  EXPECT_EQ(reply.Text(), "5.1.1 bad [31m second line");
  SmtpReply long_reply{550, {std::string(5000, 'x')}};
  EXPECT_LT(long_reply.Text().size(), 500u);
}

TEST(SmtpConnectionTest, OnlyLoopbackAddressesCountAsLoopback) {
  namespace ip = boost::asio::ip;
  for (const char* local : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopback(ip::make_address(local))) << local;
  }
  for (const char* remote : {"192.0.2.1", "10.0.0.1", "::ffff:192.0.2.1", "2001:db8::1", "::"}) {
    EXPECT_FALSE(IsLoopback(ip::make_address(remote))) << remote;
  }
}

}  // namespace
}  // namespace pictor::notify
