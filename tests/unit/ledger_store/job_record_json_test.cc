// The store ledger's record format: what is written, and what is refused when read.
#include "ledger/store/job_record_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace pictor::ledger_store {
namespace {

using Json = nlohmann::json;

JobRecord FullRecord() {
  JobRecord r;
  r.id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  r.state = JobState::kFailed;
  r.prompt = "en katt på månen \"quoted\"\n";
  r.seed = std::numeric_limits<uint32_t>::max();
  r.width = 1024;
  r.height = 512;
  r.key = "generated_images/from_queue/titan_1.png";
  r.error = "model said no";
  r.attempts = 3;
  r.created_ms = 1700000000123;
  r.updated_ms = 1700000004567;
  r.idempotency_key = "order-42";
  r.request_digest = "abc123";
  r.enqueued = true;
  r.owner = "ci-bot";
  r.model = "bedrock:amazon.titan-image-generator-v2:0";
  r.cost_usd = 0.008;
  return r;
}

// The encoded record with one field changed (or removed, for a discarded value).
std::string With(const char* field, Json value) {
  Json doc = Json::parse(EncodeJobRecord(FullRecord()));
  if (value.is_discarded()) {
    doc.erase(field);
  } else {
    doc[field] = std::move(value);
  }
  return doc.dump();
}

TEST(JobRecordJson, RoundTripsEveryField) {
  auto decoded = DecodeJobRecord(EncodeJobRecord(FullRecord()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const JobRecord want = FullRecord();
  EXPECT_EQ(decoded->id, want.id);
  EXPECT_EQ(decoded->state, want.state);
  EXPECT_EQ(decoded->prompt, want.prompt);
  EXPECT_EQ(decoded->seed, want.seed);
  EXPECT_EQ(decoded->width, want.width);
  EXPECT_EQ(decoded->height, want.height);
  EXPECT_EQ(decoded->key, want.key);
  EXPECT_EQ(decoded->error, want.error);
  EXPECT_EQ(decoded->attempts, want.attempts);
  EXPECT_EQ(decoded->created_ms, want.created_ms);
  EXPECT_EQ(decoded->updated_ms, want.updated_ms);
  EXPECT_EQ(decoded->idempotency_key, want.idempotency_key);
  EXPECT_EQ(decoded->request_digest, want.request_digest);
  EXPECT_EQ(decoded->enqueued, want.enqueued);
  EXPECT_EQ(decoded->owner, want.owner);
  EXPECT_EQ(decoded->model, want.model);
  EXPECT_EQ(decoded->cost_usd, want.cost_usd);
}

// A record as the release before owners, models and costs wrote it (every other field, verbatim)
// reads with none of them; one with them of the wrong type is refused.
TEST(JobRecordJson, RecordFromBeforeOwnerModelAndCostReadsWithNone) {
  auto decoded = DecodeJobRecord(
      R"({"version":1,"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","state":"succeeded",)"
      R"("prompt":"p","seed":7,"width":64,"height":64,"key":"k.png","error":"","attempts":1,)"
      R"("created_ms":1700000000000,"updated_ms":1700000000001,"idempotency_key":"",)"
      R"("request_digest":"d","enqueued":true})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->owner, "");
  EXPECT_EQ(decoded->model, "");
  EXPECT_EQ(decoded->cost_usd, 0);
  EXPECT_EQ(decoded->state, JobState::kSucceeded);
  for (auto [field, value] :
       {std::pair{"owner", Json(3)}, std::pair{"model", Json(true)},
        std::pair{"cost_usd", Json("0.04")}, std::pair{"cost_usd", Json(-1)}}) {
    EXPECT_EQ(DecodeJobRecord(With(field, value)).status().code(), StatusCode::kDataLoss)
        << field << " = " << value.dump();
  }
}

// Records written before the mark existed read as unmarked: a replay re-sends (harmless).
TEST(JobRecordJson, RecordWithoutTheEnqueuedMarkReadsAsUnmarked) {
  auto decoded = DecodeJobRecord(With("enqueued", Json(Json::value_t::discarded)));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_FALSE(decoded->enqueued);
  EXPECT_EQ(DecodeJobRecord(With("enqueued", "yes")).status().code(), StatusCode::kDataLoss);
}

TEST(JobRecordJson, WritesVersionOneAndTheStateByName) {
  Json doc = Json::parse(EncodeJobRecord(FullRecord()));
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["state"], "failed");
  EXPECT_EQ(doc["seed"], 4294967295u);
  EXPECT_EQ(doc["owner"], "ci-bot");
  EXPECT_EQ(doc["cost_usd"], 0.008);
  EXPECT_EQ(doc.size(), 24u);  // every field, always
}

TEST(JobRecordJson, EveryStateRoundTrips) {
  for (JobState state :
       {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kFailed}) {
    JobRecord r = FullRecord();
    r.state = state;
    auto decoded = DecodeJobRecord(EncodeJobRecord(r));
    ASSERT_TRUE(decoded.ok()) << JobStateName(state);
    EXPECT_EQ(decoded->state, state);
  }
}

TEST(JobRecordJson, InvalidUtf8IsReplacedNotThrown) {
  JobRecord r = FullRecord();
  r.prompt = "cut in the middle of \xC3";
  std::string encoded = EncodeJobRecord(r);
  auto decoded = DecodeJobRecord(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->prompt, "cut in the middle of \xEF\xBF\xBD");  // U+FFFD
}

TEST(JobRecordJson, UnknownFieldsAreIgnored) {
  auto decoded = DecodeJobRecord(With("added_later", "x"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, FullRecord().id);
}

TEST(JobRecordJson, WhatIsNotARecordIsDataLoss) {
  const std::string cases[] = {
      "",
      "{not json",
      "[1, 2]",
      "\"a string\"",
      "{}",
      With("version", 2),
      With("version", "1"),
      With("version", Json::value_t::discarded),
      With("state", "paused"),
      With("state", 1),
      With("id", Json::value_t::discarded),
      With("id", nullptr),
      With("prompt", 7),
      With("seed", -1),
      With("seed", 4294967296u),
      With("width", 1.5),
      With("width", 1e3),
      With("height", 2147483648u),
      With("attempts", "3"),
      With("created_ms", 18446744073709551615u),
      With("updated_ms", Json::value_t::discarded),
      With("request_digest", Json::array()),
  };
  for (const std::string& text : cases) {
    auto decoded = DecodeJobRecord(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss) << text;
    EXPECT_NE(decoded.status().message().find("job record"), std::string::npos);
  }
}

}  // namespace
}  // namespace pictor::ledger_store

namespace pictor::ledger_store {
namespace {

TEST(JobRecordJson, ARecordNamingAKeyTwiceIsDataLossNamingTheKey) {
  // A second "state" after the real one would otherwise win silently.
  std::string encoded = EncodeJobRecord(FullRecord());
  ASSERT_EQ(encoded.back(), '}');
  encoded.insert(encoded.size() - 1, ",\"state\":\"queued\"");
  auto decoded = DecodeJobRecord(encoded);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("\"state\""), std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace pictor::ledger_store
