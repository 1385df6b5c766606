#include "core/api_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/base64.h"

namespace pictor {
namespace {

// base64url text back to standard base64, padded, for the project's decoder.
std::string ToStandardBase64(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  return text;
}

TEST(NewApiKeyTest, IsThePrefixAndTheBase64UrlTextOf32Bytes) {
  auto key = NewApiKey();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_EQ(key->size(), kApiKeyLength);
  EXPECT_TRUE(key->starts_with("pk_"));
  EXPECT_EQ(
      key->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 3),
      std::string::npos)
      << *key;
  auto bytes = Base64Decode(ToStandardBase64(key->substr(3)));
  ASSERT_TRUE(bytes.has_value()) << *key;
  EXPECT_EQ(bytes->size(), kApiKeyRandomBytes);
}

TEST(NewApiKeyTest, KeysDiffer) {
  std::set<std::string> keys;
  for (int i = 0; i < 200; ++i) {
    auto key = NewApiKey();
    ASSERT_TRUE(key.ok());
    keys.insert(*key);
  }
  EXPECT_EQ(keys.size(), 200u);
}

TEST(NewApiKeyTest, EveryKeyLooksLikeAKey) {
  for (int i = 0; i < 200; ++i) {
    auto key = NewApiKey();
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(LooksLikeApiKey(*key)) << *key;
  }
}

TEST(HashApiKeyTest, IsTheLowerCaseHexSha256OfTheText) {
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashApiKey("pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").size(), 64u);
}

TEST(LooksLikeApiKeyTest, RefusesWhatNewApiKeyCannotMake) {
  const std::string good = "pk_" + std::string(42, 'A') + "A";
  EXPECT_TRUE(LooksLikeApiKey(good));
  EXPECT_TRUE(LooksLikeApiKey("pk_" + std::string(42, '_') + "w"));  // 'w' is 48: low bits 0
  EXPECT_FALSE(LooksLikeApiKey(""));
  EXPECT_FALSE(LooksLikeApiKey("pk_"));
  EXPECT_FALSE(LooksLikeApiKey(good.substr(0, good.size() - 1)));  // too short
  EXPECT_FALSE(LooksLikeApiKey(good + "A"));                       // too long
  EXPECT_FALSE(LooksLikeApiKey("sk_" + good.substr(3)));           // another prefix
  EXPECT_FALSE(LooksLikeApiKey("PK_" + good.substr(3)));
  EXPECT_FALSE(LooksLikeApiKey("pk_" + std::string(42, 'A') + "B"));   // stray low bits
  EXPECT_FALSE(LooksLikeApiKey("pk_" + std::string(41, 'A') + "+A"));  // standard base64
  EXPECT_FALSE(LooksLikeApiKey("pk_" + std::string(41, 'A') + "=A"));
  EXPECT_FALSE(LooksLikeApiKey("pk_" + std::string(41, 'A') + " A"));
  EXPECT_FALSE(LooksLikeApiKey(std::string("pk_") + std::string(41, 'A') + '\0' + "A"));
}

ApiKeyRecord ValidRecord() {
  ApiKeyRecord r;
  r.name = "ci";
  r.hash = HashApiKey("k");
  return r;
}

TEST(ValidateApiKeyRecordTest, AcceptsAFullRecord) {
  ApiKeyRecord r = ValidRecord();
  r.scopes = kAllScopes;
  r.rate = RateLimit{1000000, 31 * 86400};
  r.budgets = {Budget{0.0001, BudgetPeriod::kDay}, Budget{1000000, BudgetPeriod::kMonth}};
  r.previous_hash = HashApiKey("old");
  r.previous_expires_ms = 1;
  r.revoked_ms = 2;
  EXPECT_TRUE(ValidateApiKeyRecord(r).ok()) << ValidateApiKeyRecord(r).ToString();
  EXPECT_TRUE(ValidateApiKeyRecord(ValidRecord()).ok());
}

TEST(ValidateApiKeyRecordTest, NamesTheFieldThatFails) {
  struct Case {
    void (*edit)(ApiKeyRecord&);
    const char* says;
  };
  const Case cases[] = {
      {[](ApiKeyRecord& r) { r.name = "-x"; }, "key name"},
      {[](ApiKeyRecord& r) { r.hash = r.hash.substr(1); }, "hash"},
      {[](ApiKeyRecord& r) { r.hash[0] = 'A'; }, "hash"},
      {[](ApiKeyRecord& r) { r.previous_hash = "0"; }, "previous hash"},
      {[](ApiKeyRecord& r) { r.scopes = 0; }, "scopes"},
      {[](ApiKeyRecord& r) { r.scopes = kAllScopes | 16; }, "scopes"},
      {[](ApiKeyRecord& r) { r.rate.count = 1000001; }, "rate"},
      {[](ApiKeyRecord& r) { r.rate.period_s = 31 * 86400 + 1; }, "rate"},
      {[](ApiKeyRecord& r) {
         r.budgets = {Budget{1.00001, BudgetPeriod::kDay}};
       },
       "budget"},
      {[](ApiKeyRecord& r) {
         r.budgets = {Budget{-1, BudgetPeriod::kDay}};
       },
       "budget"},
      {[](ApiKeyRecord& r) {
         r.budgets = {Budget{1000001, BudgetPeriod::kDay}};
       },
       "budget"},
      {[](ApiKeyRecord& r) { r.revoked_ms = -1; }, "time"},
  };
  for (const Case& c : cases) {
    ApiKeyRecord r = ValidRecord();
    c.edit(r);
    Status s = ValidateApiKeyRecord(r);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.says;
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
  }
}

TEST(BudgetListTest, RoundTripsAndRefusesBadItems) {
  const std::vector<Budget> budgets = {Budget{5, BudgetPeriod::kDay},
                                       Budget{0.25, BudgetPeriod::kMonth}};
  EXPECT_EQ(FormatBudgetList(budgets), "5usd/day,0.25usd/month");
  auto back = ParseBudgetList("5usd/day,0.25usd/month");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, budgets);
  auto none = ParseBudgetList("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(FormatBudgetList({}), "");
  for (const char* bad : {",", "5usd/day,", ",5usd/day", "5usd/day,,1usd/day", "5usd/week"}) {
    EXPECT_TRUE(ParseBudgetList(bad).status().IsInvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace pictor
