#include "core/authenticator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/digest.h"
#include "fakes/memory_key_store.h"

namespace pictor {
namespace {

using testing::MemoryKeyStore;

constexpr std::string_view kAliceKey = "pk_alice-secret-0123456789abcdefghijklmnopqrstuv";
constexpr std::string_view kBobKey = "pk_bob-secret-0123456789abcdefghijklmnopqrstuvwxy";

ApiKeyRecord Record(std::string name, std::string_view key, uint32_t scopes = kScopeGenerate) {
  ApiKeyRecord r;
  r.name = std::move(name);
  r.hash = Sha256Hex(key);
  r.scopes = scopes;
  r.rate = RateLimit{60, 60};
  r.budgets = {Budget{5, BudgetPeriod::kDay}};
  r.created_ms = 1000;
  return r;
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    EXPECT_TRUE(store_.Create(Record("alice", kAliceKey, kScopeGenerate | kScopeRead)).ok());
    EXPECT_TRUE(store_.Create(Record("bob", kBobKey, kScopeAdmin)).ok());
  }

  AuthenticatorOptions Options() {
    AuthenticatorOptions o;
    o.max_age = std::chrono::milliseconds(2000);
    o.now_ms = [this] { return now_.load(); };
    return o;
  }

  MemoryKeyStore store_;
  std::atomic<int64_t> now_{10'000};
};

TEST_F(AuthenticatorTest, KnownKeyYieldsItsNameScopesRateAndBudgets) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  auto alice = auth.Authenticate(kAliceKey);
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->scopes, kScopeGenerate | kScopeRead);
  EXPECT_EQ(alice->rate, (RateLimit{60, 60}));
  ASSERT_EQ(alice->budgets.size(), 1u);
  auto bob = auth.Authenticate(kBobKey);
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->name, "bob");
}

TEST_F(AuthenticatorTest, UnknownKeyIsUnauthenticatedWithAMessageNamingNoKey) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  const std::string attempt = "pk_not-a-key-but-looks-like-one-0123456789abcd";
  auto r = auth.Authenticate(attempt);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().reason(), "invalid_api_key");
  EXPECT_EQ(r.status().message().find(attempt), std::string::npos);
  EXPECT_EQ(r.status().message().find(Sha256Hex(attempt)), std::string::npos);
  EXPECT_FALSE(auth.Authenticate("").ok());
  // The hash itself is not a key: presenting a stored hash proves nothing.
  EXPECT_FALSE(auth.Authenticate(Sha256Hex(kAliceKey)).ok());
}

TEST_F(AuthenticatorTest, AuthenticatingReadsTheStoreOncePerMaxAgeNotPerRequest) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  const int before = store_.lists();
  for (int i = 0; i < 100; ++i) {
    (void)auth.Authenticate(kAliceKey);
    (void)auth.Authenticate("pk_unknown");
  }
  EXPECT_EQ(store_.lists(), before);
  now_ += 2000;
  (void)auth.Authenticate("pk_unknown");
  EXPECT_EQ(store_.lists(), before + 1);
}

TEST_F(AuthenticatorTest, RevokedKeyIsRefusedOnceTheSetIsReRead) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  ASSERT_TRUE(auth.Authenticate(kAliceKey).ok());
  ApiKeyRecord revoked = *store_.Get("alice");
  revoked.revoked_ms = now_;
  ASSERT_TRUE(store_.Update(revoked).ok());
  now_ += 1999;
  EXPECT_TRUE(auth.Authenticate(kAliceKey).ok()) << "cached for max_age";
  now_ += 1;
  auto r = auth.Authenticate(kAliceKey);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth.Authenticate(kBobKey).ok());
}

TEST_F(AuthenticatorTest, RevocationDatedInTheFutureTakesEffectThen) {
  ApiKeyRecord r = *store_.Get("alice");
  r.revoked_ms = now_ + 500;
  ASSERT_TRUE(store_.Update(r).ok());
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  EXPECT_TRUE(auth.Authenticate(kAliceKey).ok());
  now_ += 500;
  EXPECT_FALSE(auth.Authenticate(kAliceKey).ok());
}

TEST_F(AuthenticatorTest, RotatedKeyAcceptsTheOldTextUntilItsGraceEnds) {
  constexpr std::string_view kNewKey = "pk_alice-new-secret-0123456789abcdefghijklmnopq";
  ApiKeyRecord r = *store_.Get("alice");
  r.previous_hash = r.hash;
  r.previous_expires_ms = now_ + 60'000;
  r.hash = Sha256Hex(kNewKey);
  ASSERT_TRUE(store_.Update(r).ok());
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  auto old_key = auth.Authenticate(kAliceKey);
  ASSERT_TRUE(old_key.ok());
  EXPECT_EQ(old_key->name, "alice");
  EXPECT_TRUE(auth.Authenticate(kNewKey).ok());
  now_ += 60'000;
  ASSERT_TRUE(auth.Refresh().ok());
  EXPECT_FALSE(auth.Authenticate(kAliceKey).ok());
  EXPECT_TRUE(auth.Authenticate(kNewKey).ok());
}

TEST_F(AuthenticatorTest, FailedReReadKeepsTheLastGoodSet) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  store_.FailNextReads(1);
  EXPECT_FALSE(auth.Refresh().ok());
  EXPECT_TRUE(auth.Authenticate(kAliceKey).ok());
}

TEST_F(AuthenticatorTest, NeverReadSetIsUnavailableNotUnauthenticated) {
  store_.FailNextReads(100);
  Authenticator auth(store_, Options());
  auto r = auth.Authenticate(kAliceKey);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == StatusCode::kUnavailable) << r.status().ToString();
}

TEST_F(AuthenticatorTest, FirstRequestReadsTheSetWhenNothingElseDid) {
  Authenticator auth(store_, Options());
  EXPECT_TRUE(auth.Authenticate(kAliceKey).ok());
  EXPECT_EQ(store_.lists(), 1);
}

TEST_F(AuthenticatorTest, FindGivesACachedRecordByName) {
  Authenticator auth(store_, Options());
  ASSERT_TRUE(auth.Refresh().ok());
  auto bob = auth.Find("bob");
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->scopes, kScopeAdmin);
  EXPECT_FALSE(auth.Find("carol").has_value());
}

TEST_F(AuthenticatorTest, BackgroundRefresherPicksUpANewKey) {
  AuthenticatorOptions o;
  o.max_age = std::chrono::milliseconds(20);  // real clock: the refresher's own period
  Authenticator auth(store_, o);
  ASSERT_TRUE(auth.Refresh().ok());
  auth.StartRefreshing();
  constexpr std::string_view kCarolKey = "pk_carol-secret-0123456789abcdefghijklmnopqrstu";
  ASSERT_TRUE(store_.Create(Record("carol", kCarolKey)).ok());
  // Bounded wait for the refresher, not a timing assumption: it re-reads every 20 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!auth.Authenticate(kCarolKey).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(auth.Authenticate(kCarolKey).ok());
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace pictor
