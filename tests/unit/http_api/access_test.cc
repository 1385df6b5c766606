// Authentication, scopes, rate limits and budget admission in the API, as a function of request
// values: a memory KeyStore, an injected clock, real SQLite queue and ledger.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>

#include "api_fixture.h"
#include "core/authenticator.h"
#include "core/digest.h"
#include "fakes/memory_key_store.h"
#include "http/access_control.h"
#include "http/refusal.h"

namespace pictor::http {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kAdminKey = "pk_AdminKey0123456789abcdefghijklmnopqrstuvwxy";
constexpr std::string_view kAliceKey = "pk_AliceKey0123456789abcdefghijklmnopqrstuvwxy";
constexpr std::string_view kBobKey = "pk_BobKey0123456789abcdefghijklmnopqrstuvwxyz0";
constexpr std::string_view kReaderKey = "pk_ReaderKey0123456789abcdefghijklmnopqrstuvwx";

// A SpendLedger whose Check answers what the test sets, and remembers what it was asked.
class ScriptedSpendLedger final : public SpendLedger {
 public:
  Status Charge(const SpendCharge&, const std::vector<BudgetScope>&) override {
    return Status::Ok();
  }
  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    std::lock_guard lock(mu);
    asked_budgets = budgets;
    asked_usd = usd;
    asked_at_ms = now_ms;
    return answer;
  }
  Status Refund(std::string_view) override { return Status::Ok(); }
  Result<std::vector<SpendCharge>> Since(int64_t) override { return std::vector<SpendCharge>{}; }

  std::mutex mu;
  Status answer;
  std::vector<BudgetScope> asked_budgets;
  double asked_usd = -1;
  int64_t asked_at_ms = 0;
};

ApiKeyRecord Key(std::string name, std::string_view text, uint32_t scopes, RateLimit rate = {}) {
  ApiKeyRecord r;
  r.name = std::move(name);
  r.hash = Sha256Hex(text);
  r.scopes = scopes;
  r.rate = rate;
  return r;
}

class AccessTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(keys_.Create(Key("root", kAdminKey, kScopeAdmin)).ok());
    ASSERT_TRUE(
        keys_.Create(Key("alice", kAliceKey, kScopeGenerate | kScopeRead, RateLimit{60, 60})).ok());
    ASSERT_TRUE(keys_.Create(Key("bob", kBobKey, kScopeGenerate | kScopeRead)).ok());
    ASSERT_TRUE(keys_.Create(Key("reader", kReaderKey, kScopeRead)).ok());
    ApiKeyRecord alice = *keys_.Get("alice");
    alice.budgets = {Budget{5, BudgetPeriod::kDay}};
    ASSERT_TRUE(keys_.Update(alice).ok());
    AuthenticatorOptions ao;
    ao.now_ms = [this] { return now_ms_; };
    authenticator_ = std::make_unique<Authenticator>(keys_, ao);
    ASSERT_TRUE(authenticator_->Refresh().ok());
    ApiOptions options;
    options.access.authenticator = authenticator_.get();
    options.access.spend = &spend_;
    options.access.global_budgets = {Budget{50, BudgetPeriod::kMonth}};
    options.access.now_ms = [this] { return now_ms_; };
    options.image_price_usd = [](const GenerationRequest& r) {
      return r.width * r.height / 1e6;  // 1 USD a megapixel, for the test
    };
    api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, options);
  }

  HttpResponse As(std::string_view key, std::string method, std::string path,
                  std::string body = "") {
    return Call(
        std::move(method), std::move(path), std::move(body),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + std::string(key)}});
  }

  HttpResponse WithAuthorization(std::string value, std::string path = "/jobs/x") {
    return Call("GET", std::move(path), "", {{"Authorization", std::move(value)}});
  }

  pictor::testing::MemoryKeyStore keys_;
  ScriptedSpendLedger spend_;
  int64_t now_ms_ = 1'760'000'000'000;
  std::unique_ptr<Authenticator> authenticator_;
};

TEST_F(AccessTest, HealthzAndReadyzNeedNoKey) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
}

TEST_F(AccessTest, EveryOtherRouteNeedsAKey) {
  for (auto [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/generate-image"},
                                                        {"POST", "/jobs"},
                                                        {"GET", "/jobs/abc"},
                                                        {"GET", "/images/cand/x.png"},
                                                        {"GET", "/metrics"},
                                                        {"GET", "/no/such/route"},
                                                        {"DELETE", "/jobs"}}) {
    HttpResponse r = Call(method, path, R"({"prompt":"x"})");
    EXPECT_EQ(r.status, 401) << method << " " << path;
    EXPECT_EQ(Body(r)["error"], "missing_api_key");
    EXPECT_EQ(r.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"pictor\"");
  }
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(AccessTest, AValidKeyReachesTheRoute) {
  HttpResponse r =
      As(kAliceKey, "POST", "/generate-image", R"({"prompt":"x","width":64,"height":64})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(As(kAliceKey, "GET", "/no/such/route").status, 404);
}

TEST_F(AccessTest, MalformedAuthorizationHeadersAre401AndNeverEchoed) {
  const std::string secret = "c2VjcmV0OnBhc3N3b3Jk";
  for (std::string value :
       {std::string("Bearer"), std::string("Bearer "), "Basic " + secret,
        "Bearer " + std::string(kAliceKey) + " extra", std::string("Bearer pk_a\"b"),
        std::string("Bearer ===="), std::string(kAliceKey), std::string("")}) {
    HttpResponse r = WithAuthorization(value);
    EXPECT_EQ(r.status, 401) << "'" << value << "'";
    const std::string error = Body(r)["error"];
    EXPECT_TRUE(error == "malformed_authorization" || error == "unsupported_authorization_scheme")
        << error;
    EXPECT_EQ(r.body.find(secret), std::string::npos);
    EXPECT_EQ(r.body.find(std::string(kAliceKey)), std::string::npos);
    EXPECT_EQ(r.headers.Get("WWW-Authenticate").value_or(""),
              "Bearer realm=\"pictor\", error=\"invalid_token\"");
  }
}

TEST_F(AccessTest, TwoAuthorizationHeadersAre401) {
  HttpResponse r = Call("GET", "/jobs/x", "",
                        {{"Authorization", "Bearer " + std::string(kAliceKey)},
                         {"Authorization", "Bearer " + std::string(kBobKey)}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"], "malformed_authorization");
}

TEST_F(AccessTest, SchemeIsCaseInsensitive) {
  EXPECT_EQ(WithAuthorization("bearer " + std::string(kAliceKey), "/jobs/none").status, 404);
  EXPECT_EQ(WithAuthorization("BEARER   " + std::string(kAliceKey), "/jobs/none").status, 404);
}

TEST_F(AccessTest, UnknownKeyIs401WithoutQuotingIt) {
  const std::string unknown = "pk_Unknown0123456789abcdefghijklmnopqrstuvwxyz";
  HttpResponse r = WithAuthorization("Bearer " + unknown);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"], "invalid_api_key");
  EXPECT_EQ(r.body.find(unknown), std::string::npos);
}

TEST_F(AccessTest, KeyInTheQueryStringIsRefusedEvenWithAValidHeader) {
  for (std::string query : {"api_key=" + std::string(kAliceKey), std::string("access_token=abc"),
                            std::string("x=1&token=abc"), "q=" + std::string(kAliceKey)}) {
    HttpRequest r;
    r.method = "GET";
    r.path = "/jobs/x";
    r.query = query;
    r.headers.Add("Authorization", "Bearer " + std::string(kAliceKey));
    HttpResponse answer = api_->Handle(r);
    EXPECT_EQ(answer.status, 400) << query;
    EXPECT_EQ(Body(answer)["error"], "api_key_in_query");
    EXPECT_EQ(answer.body.find(std::string(kAliceKey)), std::string::npos);
  }
  // A key name as a filter value is no key.
  EXPECT_EQ(CheckNoKeyInQuery("key=pk_team&status=queued").code(), StatusCode::kOk);
}

TEST_F(AccessTest, KeyWithoutTheScopeIs403) {
  HttpResponse r = As(kReaderKey, "POST", "/jobs", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["error"], "insufficient_scope");
  EXPECT_NE(Body(r)["message"].get<std::string>().find("generate"), std::string::npos);
  EXPECT_EQ(As(kAliceKey, "GET", "/metrics").status, 403);
  EXPECT_EQ(As(kAdminKey, "GET", "/metrics").status, 200);
}

TEST_F(AccessTest, AdminKeyMayCallEveryRoute) {
  HttpResponse r = As(kAdminKey, "POST", "/jobs", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 202) << r.body;
}

TEST_F(AccessTest, JobsRecordTheirOwnerAndOthersAre404ToNonAdmins) {
  HttpResponse submitted = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})");
  ASSERT_EQ(submitted.status, 202) << submitted.body;
  const std::string id = Body(submitted)["id"];
  EXPECT_EQ(ledger_->Get(id)->owner, "alice");
  EXPECT_EQ(As(kAliceKey, "GET", "/jobs/" + id).status, 200);
  HttpResponse bob = As(kBobKey, "GET", "/jobs/" + id);
  EXPECT_EQ(bob.status, 404);
  EXPECT_EQ(Body(bob)["error"], "job_not_found");
  EXPECT_EQ(As(kAdminKey, "GET", "/jobs/" + id).status, 200);
}

// DELETE /jobs/{id} through real authentication: a key cancels its own jobs, another key's are
// 404 (and stay queued), an admin cancels anyone's; no key at all is 401.
TEST_F(AccessTest, AKeyCancelsItsOwnJobsAndOthersAre404) {
  auto submit = [&] {
    HttpResponse r = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})");
    EXPECT_EQ(r.status, 202) << r.body;
    return Body(r)["id"].get<std::string>();
  };
  const std::string first = submit();
  const std::string second = submit();
  HttpResponse bob = As(kBobKey, "DELETE", "/jobs/" + first);
  EXPECT_EQ(bob.status, 404) << bob.body;
  EXPECT_EQ(Body(bob)["error"], "job_not_found");
  EXPECT_EQ(ledger_->Get(first)->state, JobState::kQueued);
  EXPECT_EQ(Call("DELETE", "/jobs/" + first).status, 401);
  EXPECT_EQ(As(kAliceKey, "DELETE", "/jobs/" + first).status, 200);
  EXPECT_EQ(ledger_->Get(first)->state, JobState::kCancelled);
  EXPECT_EQ(As(kAdminKey, "DELETE", "/jobs/" + second).status, 200);
  EXPECT_EQ(ledger_->Get(second)->state, JobState::kCancelled);
}

TEST_F(AccessTest, SixtyFirstRequestOfASixtyPerMinuteKeyIs429WithHeaders) {
  for (int i = 1; i <= 60; ++i) {
    HttpResponse r = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})");
    ASSERT_EQ(r.status, 202) << i << ": " << r.body;
    EXPECT_EQ(r.headers.Get("RateLimit-Limit").value_or(""), "60");
    EXPECT_EQ(r.headers.Get("RateLimit-Remaining").value_or(""), std::to_string(60 - i));
  }
  HttpResponse r = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r)["error"], "rate_limited");
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "1");
  EXPECT_EQ(r.headers.Get("RateLimit-Remaining").value_or(""), "0");
  EXPECT_EQ(r.headers.Get("RateLimit-Reset").value_or(""), "60");
  // Reads are not rate-limited; another key has its own bucket.
  EXPECT_EQ(As(kAliceKey, "GET", "/jobs/none").status, 404);
  EXPECT_EQ(As(kBobKey, "POST", "/jobs", R"({"prompt":"x"})").status, 202);
  now_ms_ += 1000;
  EXPECT_EQ(As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})").status, 202);
}

TEST_F(AccessTest, UnlimitedKeyGetsNoRateLimitHeaders) {
  HttpResponse r = As(kBobKey, "POST", "/jobs", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 202);
  EXPECT_FALSE(r.headers.Get("RateLimit-Limit").has_value());
}

TEST_F(AccessTest, BudgetAdmissionAsksForTheKeysAndTheGlobalBudgetsAtTheRequestsPrice) {
  HttpResponse r = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x","width":1000,"height":500})");
  ASSERT_EQ(r.status, 202) << r.body;
  std::lock_guard lock(spend_.mu);
  EXPECT_DOUBLE_EQ(spend_.asked_usd, 0.5);
  EXPECT_EQ(spend_.asked_at_ms, now_ms_);
  ASSERT_EQ(spend_.asked_budgets.size(), 2u);
  EXPECT_EQ(spend_.asked_budgets[0], (BudgetScope{"", Budget{50, BudgetPeriod::kMonth}}));
  EXPECT_EQ(spend_.asked_budgets[1], (BudgetScope{"alice", Budget{5, BudgetPeriod::kDay}}));
}

TEST_F(AccessTest, SpentBudgetIs429BeforeQueuingOrGenerating) {
  const int64_t reset = 1'760'054'400'000;  // the next UTC midnight, as the ledger would say
  spend_.answer = Status::QuotaExceeded("key alice's budget of 5 USD per day is spent",
                                        "budget_exhausted", reset);
  HttpResponse job = As(kAliceKey, "POST", "/jobs", R"({"prompt":"x"})");
  EXPECT_EQ(job.status, 429) << job.body;
  EXPECT_EQ(Body(job)["error"], "budget_exhausted");
  EXPECT_EQ(Body(job)["resets_at"], "2025-10-10T00:00:00.000Z");
  EXPECT_EQ(job.headers.Get("Retry-After").value_or(""),
            std::to_string((reset - now_ms_ + 999) / 1000));
  EXPECT_EQ(queue_->Attributes()->visible, 0);
  HttpResponse now = As(kAliceKey, "POST", "/generate-image", R"({"prompt":"x"})");
  EXPECT_EQ(now.status, 429);
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(AccessTest, RevokedKeyIsRefusedAfterTheNextRefresh) {
  ASSERT_EQ(As(kBobKey, "GET", "/jobs/none").status, 404);
  ApiKeyRecord bob = *keys_.Get("bob");
  bob.revoked_ms = now_ms_;
  ASSERT_TRUE(keys_.Update(bob).ok());
  now_ms_ += 2000;
  EXPECT_EQ(As(kBobKey, "GET", "/jobs/none").status, 401);
}

TEST_F(AccessTest, OpenAiPathsAnswerRefusalsInOpenAisShape) {
  HttpResponse r = Call("POST", "/v1/images/generations", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 401);
  Json b = Body(r);
  ASSERT_TRUE(b.contains("error") && b["error"].is_object()) << r.body;
  EXPECT_EQ(b["error"]["code"], "missing_api_key");
  EXPECT_EQ(b["error"]["type"], "invalid_request_error");
  EXPECT_TRUE(b["error"]["param"].is_null());
  EXPECT_TRUE(b["error"]["message"].is_string());
}

TEST_F(AccessTest, RefusalsAreCountedByReasonAndKeyNameNeverByKey) {
  (void)Call("GET", "/jobs/x");
  (void)WithAuthorization("Bearer pk_Unknown0123456789abcdefghijklmnopqrstuvwxyz");
  (void)As(kReaderKey, "POST", "/jobs", R"({"prompt":"x"})");
  (void)As(kAliceKey, "GET", "/jobs/none");
  const std::string page = metrics_.RenderPrometheus();
  EXPECT_NE(page.find("pictor_auth_refusals_total{reason=\"missing_api_key\""), std::string::npos)
      << page;
  EXPECT_NE(page.find("reason=\"insufficient_scope\",key=\"reader\""), std::string::npos) << page;
  EXPECT_NE(page.find("pictor_key_requests_total{key=\"alice\""), std::string::npos);
  for (std::string_view key : {kAdminKey, kAliceKey, kBobKey, kReaderKey}) {
    EXPECT_EQ(page.find(std::string(key)), std::string::npos);
    EXPECT_EQ(page.find(Sha256Hex(key)), std::string::npos);
  }
  EXPECT_EQ(page.find("pk_Unknown"), std::string::npos);
}

TEST(RefusalTest, AuthenticationOffLeavesEveryCallerAdmin) {
  MetricsRegistry metrics;
  AccessControl access(AccessOptions{}, metrics);
  HttpRequest r;
  r.method = "GET";
  r.path = "/metrics";
  Admission a = access.Admit(r, nullptr);
  EXPECT_TRUE(a.status.ok());
  EXPECT_TRUE(a.caller.Has(kScopeAdmin));
  EXPECT_TRUE(a.caller.key_name.empty());
  EXPECT_TRUE(access.AdmitSpend(a.caller, 1e9).ok()) << "no spend ledger, no admission";
}

}  // namespace
}  // namespace pictor::http
