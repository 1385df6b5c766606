// The Lambda metric decorators: each times only its one call (and the model prices what it
// made) and forwards everything else.
#include "lambda/invocation_metrics.h"

#include <gtest/gtest.h>

#include "fakes/fake_image_model.h"
#include "fakes/memory_store.h"

namespace pictor::lambda {
namespace {

TEST(TimedStoreTest, TimesEachPutAndForwardsEveryOtherCall) {
  testing::MemoryStore inner;
  InvocationLog log;
  auto timed = NewTimedStore(inner, log);
  ASSERT_TRUE(timed->Put("a.png", "png", "image/png").ok());
  ASSERT_TRUE(timed->PutIfAbsent("b.json", "{}", "application/json").ok());
  EXPECT_EQ(timed->PutIfAbsent("b.json", "{}", "application/json").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(timed->Get("a.png")->data, "png");
  EXPECT_EQ(timed->Head("b.json")->size, 2u);
  EXPECT_EQ(timed->List("", 10)->size(), 2u);
  ASSERT_TRUE(timed->Delete("b.json").ok());
  EXPECT_TRUE(inner.Get("b.json").status().IsNotFound());
  EXPECT_EQ(timed->Location("a.png"), inner.Location("a.png"));
  EXPECT_EQ(timed->DirectUrl("a.png", std::chrono::seconds(60)), std::nullopt);
  EXPECT_EQ(inner.puts.load(), 3);
  InvocationLog::Drained drained = log.Drain();
  EXPECT_EQ(drained.storage_ms.size(), 1u);  // the Put, not the conditional writes
  EXPECT_TRUE(drained.generation_ms.empty());
}

TEST(TimedModelTest, TimesEachGenerationAndForwardsNameAndCheck) {
  testing::FakeImageModel inner;
  inner.max_side = 64;
  InvocationLog log;
  auto timed = NewTimedModel(inner, log);
  EXPECT_EQ(timed->Name(), "fake");
  GenerationRequest request;
  request.prompt = "a fox";
  request.width = request.height = 128;
  EXPECT_TRUE(timed->Check(request).IsInvalidArgument());
  request.width = request.height = 64;
  ASSERT_TRUE(timed->Check(request).ok());
  ASSERT_TRUE(timed->Generate(request).ok());
  ASSERT_TRUE(timed->Generate(request).ok());
  EXPECT_EQ(inner.calls.load(), 2);
  InvocationLog::Drained drained = log.Drain();
  EXPECT_EQ(drained.generation_ms.size(), 2u);
  EXPECT_TRUE(drained.storage_ms.empty());
  EXPECT_TRUE(log.Drain().generation_ms.empty());  // drained once
}

TEST(TimedModelTest, AddsThePriceOfEachImageMadeAndNothingForAFailure) {
  testing::FakeImageModel inner;
  inner.price_usd = 0.04;
  InvocationLog log;
  auto timed = NewTimedModel(inner, log);
  GenerationRequest request;
  request.prompt = "a fox";
  request.width = request.height = 64;
  ASSERT_TRUE(timed->Generate(request).ok());
  inner.FailNext(Status::Unavailable("throttled"));
  ASSERT_FALSE(timed->Generate(request).ok());
  ASSERT_TRUE(timed->Generate(request).ok());
  InvocationLog::Drained drained = log.Drain();
  EXPECT_DOUBLE_EQ(drained.spend_usd, 0.08);
  EXPECT_EQ(drained.generation_ms.size(), 3u);
  EXPECT_EQ(log.Drain().spend_usd, 0.0);
}

}  // namespace
}  // namespace pictor::lambda
