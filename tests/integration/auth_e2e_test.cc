// API keys end to end: `pictor keys` makes and revokes keys, `pictor serve --auth keys` checks
// them. Missing, malformed, unknown and query-string keys; scopes; the rate limit; a revoked key
// refused on a second server sharing the keys; /metrics for admins or on its own listener; the
// non-loopback refusal; and no key text in any log or metric.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Headers Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

class AuthTest : public testing::Test {
 protected:
  void TearDown() override {
    if (!HasFailure()) return;
    for (Server* s : {&a_, &b_}) {
      if (s->process) std::cerr << "pictor serve stderr:\n" << s->process->Stderr();
    }
  }

  // Where the keys live: the flags `pictor keys` and `pictor serve` share.
  std::vector<std::string> StoreFlags() const {
    std::vector<std::string> flags = {"--store", StoreSpec(dir_), "--queue", QueueSpec(dir_)};
    flags.insert(flags.end(), extra_flags_.begin(), extra_flags_.end());
    return flags;
  }

  std::string CreateKey(const std::string& name, const std::string& scope,
                        const std::string& rate = "unlimited") {
    std::vector<std::string> args = {"keys",    "create", "--name", name,
                                     "--scope", scope,    "--rate", rate};
    for (const std::string& f : StoreFlags()) args.push_back(f);
    RunResult r = RunPictor(dir_, args);
    EXPECT_EQ(r.code(), 0) << r.err;
    std::string key = Trimmed(r.out);
    EXPECT_EQ(key.rfind("pk_", 0), 0u) << "stdout: " << r.out;
    created_keys_.push_back(key);
    return key;
  }

  void Revoke(const std::string& name) {
    std::vector<std::string> args = {"keys", "revoke", "--name", name};
    for (const std::string& f : StoreFlags()) args.push_back(f);
    RunResult r = RunPictor(dir_, args);
    ASSERT_EQ(r.code(), 0) << r.err;
  }

  testing::AssertionResult Start(Server* server, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--auth", "keys", "--workers", "0", "--log-level", "debug"};
    args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return StartServe(dir_, server, args);
  }

  HttpResult Call(const Server& s, const std::string& method, const std::string& path,
                  const Headers& headers, const std::string& body = {}) {
    return Http(method, s.base_url + path, body, headers);
  }

  // No key made in this test appears in what the servers logged or in their metrics.
  void ExpectNoKeyTextLeaked(const std::string& metrics_page) {
    for (Server* s : {&a_, &b_}) {
      if (!s->process) continue;
      const std::string log = s->process->Stderr() + s->process->Stdout();
      for (const std::string& key : created_keys_) {
        EXPECT_EQ(log.find(key), std::string::npos) << "a key is in the server's log";
        EXPECT_EQ(log.find(key.substr(0, 12)), std::string::npos) << "a key prefix is logged";
        EXPECT_EQ(metrics_page.find(key.substr(0, 12)), std::string::npos);
      }
    }
  }

  TempDir dir_;
  std::vector<std::string> extra_flags_;
  std::vector<std::string> created_keys_;
  Server a_;
  Server b_;
};

TEST_F(AuthTest, RequestsWithoutAValidKeyAre401AndHealthChecksStayOpen) {
  const std::string key = CreateKey("alice", "generate,read");
  ASSERT_TRUE(Start(&a_));
  EXPECT_EQ(Call(a_, "GET", "/healthz", {}).status, 200);
  EXPECT_EQ(Call(a_, "GET", "/readyz", {}).status, 200);

  HttpResult missing = Call(a_, "POST", "/jobs", {}, R"({"prompt":"x"})");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(ParseJson(missing)["error"], "missing_api_key");
  EXPECT_EQ(missing.Header("www-authenticate"), "Bearer realm=\"pictor\"");

  const std::vector<std::string> malformed = {"Bearer",     "Basic YWxpY2U6c2VjcmV0",
                                              "Bearer a b", "Token " + key,
                                              key,          "Bearer \"" + key + "\""};
  for (const std::string& value : malformed) {
    HttpResult r = Call(a_, "POST", "/jobs", {{"Authorization", value}}, R"({"prompt":"x"})");
    EXPECT_EQ(r.status, 401) << value;
    EXPECT_EQ(r.body.find(key), std::string::npos);
    EXPECT_EQ(r.body.find("YWxpY2U6c2VjcmV0"), std::string::npos);
  }

  HttpResult unknown =
      Call(a_, "POST", "/jobs", Bearer("pk_" + std::string(43, 'A')), R"({"prompt":"x"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(ParseJson(unknown)["error"], "invalid_api_key");

  HttpResult in_query = Http("GET", a_.base_url + "/jobs/x?api_key=" + key, {}, Bearer(key));
  EXPECT_EQ(in_query.status, 400);
  EXPECT_EQ(ParseJson(in_query)["error"], "api_key_in_query");
  EXPECT_EQ(in_query.body.find(key), std::string::npos);

  HttpResult ok = Call(a_, "POST", "/jobs", Bearer(key), R"({"prompt":"x"})");
  EXPECT_EQ(ok.status, 202) << ok.body;
  EXPECT_EQ(Call(a_, "GET", "/healthz", {}).status, 200) << "the server stays up";
  ExpectNoKeyTextLeaked("");
}

TEST_F(AuthTest, KeyWithoutTheScopeIs403AndMetricsNeedAdmin) {
  const std::string reader = CreateKey("reader", "read");
  const std::string alice = CreateKey("alice", "generate,read");
  const std::string admin = CreateKey("root", "admin");
  ASSERT_TRUE(Start(&a_));

  HttpResult refused = Call(a_, "POST", "/jobs", Bearer(reader), R"({"prompt":"x"})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ParseJson(refused)["error"], "insufficient_scope");
  EXPECT_EQ(Call(a_, "POST", "/generate-image", Bearer(reader),
                 R"({"prompt":"x","width":64,"height":64})")
                .status,
            403);

  EXPECT_EQ(Call(a_, "GET", "/jobs/none", Bearer(alice)).status, 404);
  EXPECT_EQ(Call(a_, "GET", "/metrics", Bearer(alice)).status, 403);
  HttpResult metrics = Call(a_, "GET", "/metrics", Bearer(admin));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("pictor_key_requests_total{key=\"alice\""), std::string::npos);
  EXPECT_NE(metrics.body.find("reason=\"insufficient_scope\",key=\"reader\""), std::string::npos);
  ExpectNoKeyTextLeaked(metrics.body);
}

// The job's owner is kept in the ledger: a key sees its own job, another key's is 404 and an
// admin sees every job.
TEST_F(AuthTest, AKeySeesItsOwnJobsOnlyAndAdminSeesAll) {
  const std::string alice = CreateKey("alice", "generate,read");
  const std::string bob = CreateKey("bob", "generate,read");
  const std::string admin = CreateKey("root", "admin");
  ASSERT_TRUE(Start(&a_));
  HttpResult job = Call(a_, "POST", "/jobs", Bearer(alice), R"({"prompt":"x"})");
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string id = ParseJson(job)["id"];
  // A second server reads the record from the ledger's file, not from the first one's memory.
  a_.process->Signal(SIGTERM);
  ASSERT_TRUE(a_.process->Wait(30s).has_value());
  ASSERT_TRUE(Start(&b_));
  EXPECT_EQ(Call(b_, "GET", "/jobs/" + id, Bearer(alice)).status, 200);
  EXPECT_EQ(Call(b_, "GET", "/jobs/" + id, Bearer(bob)).status, 404);
  EXPECT_EQ(Call(b_, "GET", "/jobs/" + id, Bearer(admin)).status, 200);
}

TEST_F(AuthTest, SixtyFirstRequestOfASixtyPerMinuteKeyIs429) {
  const std::string key = CreateKey("alice", "generate,read", "60/min");
  ASSERT_TRUE(Start(&a_));
  // The bucket regains a token a second, so how many pass depends on how long the requests
  // took: with 60 at once, exactly 60 in the first second, one more for each second after.
  const auto started = std::chrono::steady_clock::now();
  int accepted = 0;
  HttpResult refused;
  for (int i = 0; i < 120; ++i) {
    HttpResult r = Call(a_, "POST", "/jobs", Bearer(key), R"({"prompt":"x"})");
    if (r.status == 429) {
      refused = r;
      break;
    }
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.Header("ratelimit-limit"), "60");
    ++accepted;
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  EXPECT_GE(accepted, 60);
  EXPECT_LE(accepted, 60 + seconds + 1);
  if (seconds == 0) {
    EXPECT_EQ(accepted, 60) << "the 61st request is the one refused";
  }
  ASSERT_EQ(refused.status, 429);
  EXPECT_EQ(ParseJson(refused)["error"], "rate_limited");
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_EQ(refused.Header("ratelimit-remaining"), "0");
  EXPECT_FALSE(refused.Header("ratelimit-reset").empty());
  // Reads take no token.
  EXPECT_EQ(Call(a_, "GET", "/jobs/none", Bearer(key)).status, 404);
}

class RevocationTest : public AuthTest, public testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) extra_flags_ = {"--jobs", "store"};  // keys in the image store
  }
};

TEST_P(RevocationTest, RevokedKeyIsRefusedByASecondServerSharingTheKeys) {
  const std::string key = CreateKey("alice", "generate,read");
  const std::string other = CreateKey("bob", "generate,read");
  ASSERT_TRUE(Start(&a_));
  ASSERT_TRUE(Start(&b_));
  ASSERT_EQ(Call(a_, "GET", "/jobs/none", Bearer(key)).status, 404);
  ASSERT_EQ(Call(b_, "GET", "/jobs/none", Bearer(key)).status, 404);

  Revoke("alice");
  // Each server re-reads the keys every 2 s; a bounded wait, not a timing assumption.
  const auto revoked = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return Call(a_, "GET", "/jobs/none", Bearer(key)).status == 401 &&
               Call(b_, "GET", "/jobs/none", Bearer(key)).status == 401;
      },
      30s, 50ms));
  std::cerr << "revocation seen by both servers after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - revoked)
                   .count()
            << " ms\n";
  EXPECT_EQ(Call(b_, "GET", "/jobs/none", Bearer(other)).status, 404) << "others still pass";
  ExpectNoKeyTextLeaked("");
}

INSTANTIATE_TEST_SUITE_P(KeysInSqliteAndInTheStore, RevocationTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("ObjectStore") : std::string("Sqlite");
                         });

TEST_F(AuthTest, MetricsListenServesMetricsWithoutAKey) {
  (void)CreateKey("alice", "generate,read");
  ASSERT_TRUE(Start(&a_, {"--metrics-listen", "127.0.0.1:0"}));
  // The metrics port is printed on standard output once the server listens.
  std::string line;
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::string out = a_.process->Stdout();
        const size_t at = out.find("metrics on http://127.0.0.1:");
        if (at == std::string::npos || out.find('\n', at) == std::string::npos) return false;
        line = out.substr(at, out.find('\n', at) - at);
        return true;
      },
      30s));
  const std::string url = line.substr(line.find("http://"));
  ASSERT_EQ(Http("GET", url).status, 200);
  HttpResult page = Http("GET", url);  // counts the first read
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("pictor_http_requests_total"), std::string::npos);
  EXPECT_EQ(Call(a_, "GET", "/metrics", {}).status, 401) << "the API's port still needs a key";
}

TEST(ServeExposureTest, NonLoopbackAddressWithoutAuthIsRefusedWithTheReason) {
  TempDir dir;
  // Refused before anything is bound: the address is checked first.
  RunResult r = RunPictor(dir, {"serve", "--listen", "0.0.0.0:0", "--store", StoreSpec(dir),
                                "--queue", QueueSpec(dir)});
  EXPECT_EQ(r.code(), 2) << r.err;
  EXPECT_NE(r.err.find("without authentication"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--auth keys"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--insecure-no-auth"), std::string::npos) << r.err;
  RunResult named = RunPictor(dir, {"serve", "--listen", "example.invalid:0", "--auth", "none",
                                    "--store", StoreSpec(dir), "--queue", QueueSpec(dir)});
  EXPECT_EQ(named.code(), 2) << named.err;
  RunResult bad = RunPictor(dir, {"serve", "--auth", "maybe"});
  EXPECT_EQ(bad.code(), 2) << bad.err;
}

}  // namespace
}  // namespace pictor::integration
