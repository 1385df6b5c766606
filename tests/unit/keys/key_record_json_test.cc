#include "keys/store/key_record_json.h"

#include <gtest/gtest.h>

#include <string>

#include "core/api_key.h"

namespace pictor::keys_store {
namespace {

ApiKeyRecord Sample() {
  ApiKeyRecord r;
  r.name = "ci";
  r.hash = HashApiKey("k");
  r.scopes = kScopeGenerate | kScopeRead;
  r.rate = RateLimit{60, 60};
  r.budgets = {Budget{5, BudgetPeriod::kDay}};
  r.created_ms = 1700000000000;
  return r;
}

// The sample's JSON with `from` replaced by `to` (which must occur).
std::string Edited(const std::string& from, const std::string& to) {
  std::string json = EncodeKeyRecord(Sample());
  const size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from << " in " << json;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

TEST(KeyRecordJsonTest, RoundTrips) {
  auto back = DecodeKeyRecord(EncodeKeyRecord(Sample()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Sample());
}

TEST(KeyRecordJsonTest, WritesScopesAndBudgetsAsTheirTextForms) {
  const std::string json = EncodeKeyRecord(Sample());
  EXPECT_NE(json.find("\"scopes\":\"generate,read\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"budgets\":[\"5usd/day\"]"), std::string::npos) << json;
}

TEST(KeyRecordJsonTest, WhatIsNotARecordIsDataLoss) {
  for (const std::string& bad : {
           std::string("not json"),
           std::string("[]"),
           std::string("{}"),
           Edited("\"version\":1", "\"version\":2"),
           Edited("\"name\":\"ci\"", "\"name\":\"ci\",\"name\":\"admin\""),
           Edited("\"name\":\"ci\"", "\"name\":7"),
           Edited("\"name\":\"ci\"", "\"name\":\"../ci\""),
           Edited("\"scopes\":\"generate,read\"", "\"scopes\":\"root\""),
           Edited("\"scopes\":\"generate,read\"", "\"scopes\":\"\""),
           Edited("\"budgets\":[\"5usd/day\"]", "\"budgets\":\"5usd/day\""),
           Edited("\"budgets\":[\"5usd/day\"]", "\"budgets\":[5]"),
           Edited("\"budgets\":[\"5usd/day\"]", "\"budgets\":[\"-5usd/day\"]"),
           Edited("\"count\":60", "\"count\":1.5"),
           Edited("\"count\":60", "\"count\":-3"),
           Edited("\"created_ms\":1700000000000", "\"created_ms\":1e20"),
           Edited("\"revoked_ms\":0", "\"revoked_ms\":\"0\""),
           Edited("\"previous_hash\":\"\"", "\"previous_hash\":\"abc\""),
       }) {
    auto decoded = DecodeKeyRecord(bad);
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace pictor::keys_store
