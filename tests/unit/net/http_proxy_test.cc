// Proxy selection from http_proxy / https_proxy / no_proxy values.
#include "net/http_proxy.h"

#include <gtest/gtest.h>

namespace pictor::net {
namespace {

HttpUrl Url(const char* text) { return ParseHttpUrl(text).value(); }

// The proxy's "host:port" for `url`, "direct", or the error.
std::string Route(const ProxySettings& settings, const char* url) {
  Result<const HttpProxy*> proxy = settings.For(Url(url));
  if (!proxy.ok()) return proxy.status().ToString();
  if (*proxy == nullptr) return "direct";
  return FormatAuthority((*proxy)->host, (*proxy)->port);
}

TEST(ProxySettingsTest, NoSettingMeansDirect) {
  ProxySettings settings;
  EXPECT_EQ(Route(settings, "http://example.test/"), "direct");
  EXPECT_EQ(Route(settings, "https://example.test/"), "direct");
}

TEST(ProxySettingsTest, EachSchemeHasItsOwnProxy) {
  ProxySettings settings("http://plain.proxy:3128", "http://tls.proxy:8080/", "");
  EXPECT_EQ(Route(settings, "http://example.test/"), "plain.proxy:3128");
  EXPECT_EQ(Route(settings, "https://example.test/"), "tls.proxy:8080");
}

TEST(ProxySettingsTest, SchemeMayBeLeftOutAndPortDefaultsTo1080) {
  ProxySettings settings("proxy.test", "[::1]:9", "");
  EXPECT_EQ(Route(settings, "http://example.test/"), "proxy.test:1080");
  EXPECT_EQ(Route(settings, "https://example.test/"), "[::1]:9");
}

TEST(ProxySettingsTest, UserInformationBecomesBasicAuthorization) {
  ProxySettings settings("http://us%3Aer:p%40ss@proxy.test:3128", "", "");
  Result<const HttpProxy*> proxy = settings.For(Url("http://example.test/"));
  ASSERT_TRUE(proxy.ok());
  ASSERT_NE(*proxy, nullptr);
  EXPECT_EQ((*proxy)->host, "proxy.test");
  EXPECT_EQ((*proxy)->authorization, "Basic dXM6ZXI6cEBzcw==");  // "us:er:p@ss"
}

TEST(ProxySettingsTest, OnlyHttpProxiesAreSupported) {
  ProxySettings settings("", "socks5://proxy.test:1080", "");
  Result<const HttpProxy*> proxy = settings.For(Url("https://example.test/"));
  ASSERT_FALSE(proxy.ok());
  EXPECT_EQ(proxy.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(proxy.status().message().find("https_proxy"), std::string::npos);
  EXPECT_EQ(Route(settings, "http://example.test/"), "direct");
}

TEST(ProxySettingsTest, NoProxyNamesMatchThemselvesAndTheirSubdomains) {
  ProxySettings settings("http://proxy.test", "", " internal.test ,.Corp.Example");
  EXPECT_EQ(Route(settings, "http://internal.test/"), "direct");
  EXPECT_EQ(Route(settings, "http://api.internal.test/"), "direct");
  EXPECT_EQ(Route(settings, "http://corp.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://a.b.corp.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://notinternal.test/"), "proxy.test:1080");
  EXPECT_EQ(Route(settings, "http://internal.test.evil/"), "proxy.test:1080");
}

TEST(ProxySettingsTest, NoProxyAddressesMatchExactly) {
  ProxySettings settings("http://proxy.test", "", "169.254.169.254,[fd00::1],0.0.1");
  EXPECT_EQ(Route(settings, "http://169.254.169.254/latest"), "direct");
  EXPECT_EQ(Route(settings, "http://[fd00::1]/"), "direct");
  EXPECT_EQ(Route(settings, "http://10.0.0.1/"), "proxy.test:1080");  // not a name's suffix
  EXPECT_EQ(Route(settings, "http://169.254.169.25/"), "proxy.test:1080");
}

TEST(ProxySettingsTest, NoProxyStarMeansNoProxy) {
  ProxySettings settings("http://proxy.test", "http://proxy.test", "example.test, *");
  EXPECT_EQ(Route(settings, "http://anything.test/"), "direct");
  EXPECT_EQ(Route(settings, "https://anything.test/"), "direct");
}

TEST(ProxySettingsTest, LoopbackIsNeverProxied) {
  ProxySettings settings("http://proxy.test", "http://proxy.test", "");
  EXPECT_EQ(Route(settings, "http://127.0.0.1:9001/"), "direct");
  EXPECT_EQ(Route(settings, "https://localhost/"), "direct");
  EXPECT_EQ(Route(settings, "http://[::1]:8080/"), "direct");
  EXPECT_EQ(Route(settings, "http://127.0.0.2/"), "proxy.test:1080");
}

}  // namespace
}  // namespace pictor::net
