// The S3 store through the fault proxy, in front of fauxqs: which faults are retried (and how
// often), which fail at once, and that nothing is lost or stored twice.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "peers/fault_proxy.h"
#include "peers/fauxqs_s3.h"
#include "store/s3/s3_store.h"

namespace pictor {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kKey[] = "generated_images/fault.png";

class S3FaultsTest : public testing::FauxqsS3Test {
 protected:
  static void SetUpTestSuite() {
    FauxqsS3Test::SetUpTestSuite();
    proxy_ = testing::FaultProxy::Start(Endpoint()).release();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    proxy_ = nullptr;
    FauxqsS3Test::TearDownTestSuite();
  }
  void SetUp() override {
    ASSERT_NE(proxy_, nullptr);
    FauxqsS3Test::SetUp();
    if (HasFatalFailure()) return;
    S3StoreOptions options;
    options.bucket = bucket_;
    options.endpoint = proxy_->base_url();
    options.total_timeout = 1500ms;  // the stall tests wait this long per attempt
    auto store = OpenS3Store(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    proxy_->Clear();
  }

  // PUTs of the test's object the proxy saw since the last script.
  size_t Puts() { return proxy_->Requests("PUT", kKey).size(); }
  size_t Gets() { return proxy_->Requests("GET", kKey).size(); }

  // The object as fauxqs holds it, read around the proxy.
  std::string Stored() {
    S3StoreOptions options;
    options.bucket = bucket_;
    options.endpoint = Endpoint();
    auto direct = OpenS3Store(options);
    EXPECT_TRUE(direct.ok());
    auto got = (*direct)->Get(kKey);
    return got.ok() ? got->data : "<" + got.status().ToString() + ">";
  }

  static inline testing::FaultProxy* proxy_ = nullptr;
  std::unique_ptr<ObjectStore> store_;
};

json Rule(const std::string& method, const std::string& fault, int count = 1) {
  return {{"method", method}, {"path", "/fault\\.png"}, {"fault", fault}, {"count", count}};
}

TEST_F(S3FaultsTest, SlowDownIsRetriedWithBackoffThenStoredOnce) {
  json rule = Rule("PUT", "error", 2);
  rule.update({{"protocol", "s3"}, {"status", 503}, {"code", "SlowDown"}});
  proxy_->Script(json::array({rule}));
  Status put = store_->Put(kKey, "png bytes", "image/png");
  ASSERT_TRUE(put.ok()) << put.ToString();
  auto puts = proxy_->Requests("PUT", kKey);
  ASSERT_EQ(puts.size(), 3u);
  EXPECT_EQ(puts[0].fault, "error");
  EXPECT_EQ(puts[1].fault, "error");
  EXPECT_EQ(puts[2].fault, "");
  EXPECT_EQ(Stored(), "png bytes");
}

TEST_F(S3FaultsTest, A500EveryTimeStopsAtTheAttemptBound) {
  json rule = Rule("GET", "error", -1);
  rule.update({{"protocol", "s3"}, {"status", 500}, {"code", "InternalError"}});
  ASSERT_TRUE(store_->Put(kKey, "png bytes", "image/png").ok());
  proxy_->Script(json::array({rule}));
  auto got = store_->Get(kKey);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status().ToString();
  EXPECT_NE(got.status().message().find("InternalError"), std::string::npos);
  EXPECT_EQ(Gets(), 3u) << "max_attempts, and not one more";
}

TEST_F(S3FaultsTest, AResetInTheMiddleOfTheBodyIsRetried) {
  ASSERT_TRUE(store_->Put(kKey, std::string(64 * 1024, 'x'), "image/png").ok());
  proxy_->Script(json::array({Rule("GET", "reset")}));
  auto got = store_->Get(kKey);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->data, std::string(64 * 1024, 'x'));
  EXPECT_EQ(Gets(), 2u);
}

TEST_F(S3FaultsTest, AContentLengthLongerThanTheBodyIsRetried) {
  ASSERT_TRUE(store_->Put(kKey, "png bytes", "image/png").ok());
  json rule = Rule("GET", "length");
  rule["delta"] = 100;
  proxy_->Script(json::array({rule}));
  auto got = store_->Get(kKey);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->data, "png bytes");
  EXPECT_EQ(Gets(), 2u);
}

TEST_F(S3FaultsTest, AStallBeyondTheTimeoutIsDeadlineExceededAfterTheBound) {
  json rule = Rule("PUT", "stall", -1);
  rule["seconds"] = 4;
  proxy_->Script(json::array({rule}));
  const auto start = std::chrono::steady_clock::now();
  Status put = store_->Put(kKey, "png bytes", "image/png");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.code(), StatusCode::kDeadlineExceeded) << put.ToString();
  EXPECT_EQ(Puts(), 3u);
  // Three attempts of 1.5 s each and two backoffs of at most 0.1 and 0.2 s: never the stall's 4 s.
  EXPECT_LT(took, 3 * 1500ms + 300ms + 1500ms);
}

TEST_F(S3FaultsTest, TruncatedListXmlIsAClearErrorNotAnEmptyListing) {
  ASSERT_TRUE(store_->Put(kKey, "png bytes", "image/png").ok());
  proxy_->Script(json::array(
      {{{"method", "GET"}, {"path", "list-type=2"}, {"fault", "truncate"}, {"count", -1}}}));
  auto listed = store_->List("generated_images/", 100);
  ASSERT_FALSE(listed.ok()) << "a truncated listing was read as " << listed->size() << " objects";
  EXPECT_FALSE(listed.status().message().empty());
}

TEST_F(S3FaultsTest, MalformedXmlInAnErrorReplyStillFailsClearly) {
  json rule = Rule("PUT", "error", -1);
  rule.update({{"protocol", "s3"}, {"status", 503}, {"code", "<<broken"}, {"message", "<"}});
  proxy_->Script(json::array({rule}));
  Status put = store_->Put(kKey, "png bytes", "image/png");
  EXPECT_EQ(put.code(), StatusCode::kUnavailable) << put.ToString();
  EXPECT_EQ(Puts(), 3u);
}

TEST_F(S3FaultsTest, ClockSkewIsAPermanentErrorThatSaysSo) {
  json rule = Rule("PUT", "skew", -1);
  rule["protocol"] = "s3";
  proxy_->Script(json::array({rule}));
  Status put = store_->Put(kKey, "png bytes", "image/png");
  ASSERT_FALSE(put.ok());
  EXPECT_FALSE(put.IsRetryable()) << put.ToString();
  EXPECT_NE(put.message().find("RequestTimeTooSkewed"), std::string::npos) << put.ToString();
  EXPECT_EQ(Puts(), 1u) << "a request signed with the same clock would be refused again";
}

TEST_F(S3FaultsTest, PutIfAbsentRetriedAfterAResetStoresOneObject) {
  // The reply to the first (successful) conditional PUT is lost: the retry meets the object the
  // first attempt stored, and the caller can tell by reading its own bytes back.
  proxy_->Script(json::array({Rule("PUT", "reset")}));
  Status put = store_->PutIfAbsent(kKey, "record 1", "application/json");
  EXPECT_TRUE(put.ok() || put.code() == StatusCode::kAlreadyExists) << put.ToString();
  EXPECT_EQ(Puts(), 2u);
  EXPECT_EQ(Stored(), "record 1");
}

}  // namespace
}  // namespace pictor
