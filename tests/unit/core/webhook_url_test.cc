// The URL and address rules of job webhooks (core/webhook_url.h).
#include "core/webhook_url.h"

#include <gtest/gtest.h>

#include <string>

namespace pictor {
namespace {

std::string ReasonFor(const std::string& address) {
  auto parsed = ParseIpAddress(address);
  EXPECT_TRUE(parsed.has_value()) << address;
  if (!parsed) return "unparsed";
  return NonPublicReason(*parsed).value_or("");
}

TEST(WebhookUrl, ParsesSchemeHostPortAndTarget) {
  auto url = ParseWebhookUrl("HTTPS://Hooks.Example.COM.:8443/in/abc?token=x#frag");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "hooks.example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/in/abc?token=x");
  EXPECT_EQ(url->Origin(), "https://hooks.example.com:8443");

  auto plain = ParseWebhookUrl("http://example.com?x=1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/?x=1");
  EXPECT_EQ(plain->Origin(), "http://example.com");

  auto v6 = ParseWebhookUrl("https://[2606:4700::1111]/hook");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2606:4700::1111");
  EXPECT_EQ(v6->Origin(), "https://[2606:4700::1111]");
}

TEST(WebhookUrl, RefusesWhatIsNotAPlainHttpUrl) {
  for (const char* bad : {"",
                          "ftp://example.com/",
                          "example.com/hook",
                          "https://",
                          "https:///path",
                          "https://:80/",
                          "https://example.com:0/",
                          "https://example.com:65536/",
                          "https://example.com:/",
                          "https://example.com:8x/",
                          "https://user:pw@example.com/",
                          "https://example.com@10.0.0.1/",
                          "https://exa mple.com/",
                          "https://example.com/a b",
                          "https://ex\x01ample.com/",
                          "https://b\xc3\xa4r.example/",
                          "https://[::1/",
                          "https://[::1]x/",
                          "https://[fe80::1%25eth0]/",
                          "https://[not:an:address]/",
                          "https://ex%41mple.com/",
                          "https://a..b/",
                          "https://.a/",
                          "https://exa*mple.com/",
                          "javascript:alert(1)"}) {
    auto url = ParseWebhookUrl(bad);
    EXPECT_FALSE(url.ok()) << bad;
    if (!url.ok()) {
      EXPECT_EQ(url.status().reason(), "invalid_webhook_url") << bad;
    }
  }
}

TEST(WebhookUrl, RefusesMoreThan2048Bytes) {
  const std::string base = "https://example.com/";
  EXPECT_TRUE(ParseWebhookUrl(base + std::string(kMaxWebhookUrlBytes - base.size(), 'a')).ok());
  auto long_url = ParseWebhookUrl(base + std::string(kMaxWebhookUrlBytes - base.size() + 1, 'a'));
  ASSERT_FALSE(long_url.ok());
  EXPECT_NE(long_url.status().message().find("2048"), std::string::npos);
}

TEST(WebhookAddress, RefusesEveryNonPublicIpv4Range) {
  EXPECT_NE(ReasonFor("0.0.0.0").find("0.0.0.0/8"), std::string::npos);
  EXPECT_NE(ReasonFor("0.255.1.1"), "");
  EXPECT_NE(ReasonFor("10.0.0.1").find("private"), std::string::npos);
  EXPECT_NE(ReasonFor("10.255.255.255"), "");
  EXPECT_NE(ReasonFor("100.64.0.1").find("100.64.0.0/10"), std::string::npos);
  EXPECT_NE(ReasonFor("100.127.255.255"), "");
  EXPECT_EQ(ReasonFor("100.128.0.1"), "");
  EXPECT_EQ(ReasonFor("100.63.255.255"), "");
  EXPECT_NE(ReasonFor("127.0.0.1").find("loopback"), std::string::npos);
  EXPECT_NE(ReasonFor("127.255.0.9"), "");
  EXPECT_NE(ReasonFor("169.254.169.254").find("link-local"), std::string::npos);
  EXPECT_NE(ReasonFor("172.16.0.1"), "");
  EXPECT_NE(ReasonFor("172.31.255.255"), "");
  EXPECT_EQ(ReasonFor("172.15.255.255"), "");
  EXPECT_EQ(ReasonFor("172.32.0.0"), "");
  EXPECT_NE(ReasonFor("192.168.1.1"), "");
  EXPECT_NE(ReasonFor("192.0.0.8"), "");
  EXPECT_NE(ReasonFor("198.18.0.1"), "");
  EXPECT_NE(ReasonFor("198.19.255.255"), "");
  EXPECT_NE(ReasonFor("224.0.0.1").find("multicast"), std::string::npos);
  EXPECT_NE(ReasonFor("239.255.255.250"), "");
  EXPECT_NE(ReasonFor("240.0.0.1"), "");
  EXPECT_NE(ReasonFor("255.255.255.255"), "");
  for (const char* ok : {"1.1.1.1", "8.8.8.8", "93.184.216.34", "192.169.0.1", "11.0.0.1",
                         "223.255.255.255", "198.20.0.1", "169.255.0.1"}) {
    EXPECT_EQ(ReasonFor(ok), "") << ok;
  }
}

TEST(WebhookAddress, ReadsTheShorthandIpv4FormsAResolverWould) {
  for (const char* loopback : {"127.1", "0x7f.1", "0x7f000001", "2130706433", "017700000001"}) {
    EXPECT_NE(ReasonFor(loopback).find("loopback"), std::string::npos) << loopback;
  }
  EXPECT_EQ(ParseIpAddress("127.1")->ToString(), "127.0.0.1");
  EXPECT_FALSE(ParseIpAddress("1.2.3.4.5").has_value());
  EXPECT_FALSE(ParseIpAddress("example.com").has_value());
  EXPECT_FALSE(ParseIpAddress("").has_value());
}

TEST(WebhookAddress, RefusesEveryNonPublicIpv6RangeAndEmbeddedIpv4) {
  EXPECT_NE(ReasonFor("::1").find("loopback"), std::string::npos);
  EXPECT_NE(ReasonFor("::").find("unspecified"), std::string::npos);
  EXPECT_NE(ReasonFor("fc00::1").find("fc00::/7"), std::string::npos);
  EXPECT_NE(ReasonFor("fd12:3456::1"), "");
  EXPECT_NE(ReasonFor("fe80::1").find("link-local"), std::string::npos);
  EXPECT_NE(ReasonFor("febf::1"), "");
  EXPECT_NE(ReasonFor("fec0::1"), "");
  EXPECT_NE(ReasonFor("ff02::1").find("multicast"), std::string::npos);
  // IPv4-mapped forms of refused IPv4 addresses, written either way.
  EXPECT_NE(ReasonFor("::ffff:127.0.0.1").find("IPv4-mapped"), std::string::npos);
  EXPECT_NE(ReasonFor("::ffff:7f00:1"), "");
  EXPECT_NE(ReasonFor("::FFFF:169.254.169.254").find("link-local"), std::string::npos);
  EXPECT_NE(ReasonFor("::ffff:10.1.2.3"), "");
  EXPECT_EQ(ReasonFor("::ffff:8.8.8.8"), "");
  EXPECT_NE(ReasonFor("::127.0.0.1"), "");  // IPv4-compatible
  EXPECT_NE(ReasonFor("64:ff9b::a9fe:a9fe").find("NAT64"), std::string::npos);
  EXPECT_EQ(ReasonFor("64:ff9b::808:808"), "");
  EXPECT_NE(ReasonFor("2002:7f00:1::1").find("6to4"), std::string::npos);
  EXPECT_EQ(ReasonFor("2002:808:808::1"), "");
  for (const char* ok : {"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1"}) {
    EXPECT_EQ(ReasonFor(ok), "") << ok;
  }
}

TEST(WebhookClientUrl, RefusesPrivateAndLocalHostsWithTheReason) {
  for (const char* bad :
       {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://LOCALHOST./hook",
        "http://api.localhost/hook", "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9000/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/", "http://10.1.1.1/",
        "http://0.0.0.0:80/", "http://2130706433/", "http://127.1/", "https://192.168.0.10/",
        "https://100.64.1.1/", "https://[fd00::1]/", "https://224.0.0.1/"}) {
    auto url = CheckClientWebhookUrl(bad, /*allow_private=*/false);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().reason(), "webhook_url_not_allowed") << bad;
    EXPECT_NE(url.status().message().find("--allow-private-webhooks"), std::string::npos);
    EXPECT_TRUE(CheckClientWebhookUrl(bad, /*allow_private=*/true).ok()) << bad;
  }
  auto metadata = CheckClientWebhookUrl("http://169.254.169.254/", false);
  EXPECT_NE(metadata.status().message().find("link-local"), std::string::npos);
}

TEST(WebhookClientUrl, AcceptsPublicAddressesAndNamesWhateverThePort) {
  for (const char* ok :
       {"https://hooks.example.com/in", "http://8.8.8.8:8080/x", "https://[2606:4700::1111]:8443/",
        "https://localhost.example.com/", "https://mylocalhost/"}) {
    EXPECT_TRUE(CheckClientWebhookUrl(ok, false).ok()) << ok;
  }
  // A name is resolved and checked when the webhook is delivered, not here.
  EXPECT_TRUE(CheckClientWebhookUrl("https://internal.corp/", false).ok());
  // Text that is not a URL is invalid whatever private addresses are allowed.
  EXPECT_EQ(CheckClientWebhookUrl("gopher://x/", true).status().reason(), "invalid_webhook_url");
}

}  // namespace
}  // namespace pictor
