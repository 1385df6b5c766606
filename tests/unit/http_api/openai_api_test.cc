// The OpenAI-compatible routes: POST /v1/images/generations (n images made concurrently, each
// stored under the usual layout, as URLs or base64), GET /v1/models and /v1/models/{id}, and
// every refusal in OpenAI's error shape with the status its SDKs map to an exception class.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <string>
#include <thread>

#include "api_fixture.h"
#include "core/base64.h"
#include "http/openai_api.h"
#include "http/openai_errors.h"

namespace pictor::http::testing {
namespace {

using nlohmann::json;

class OpenAiApiTest : public ApiTest {
 protected:
  HttpResponse Generate(const json& body) {
    return Call("POST", "/v1/images/generations", body.dump());
  }
  // The OpenAI error object, after checking the shape every refusal must have.
  static json Error(const HttpResponse& r) {
    json body = Body(r);
    EXPECT_TRUE(body.contains("error") && body["error"].is_object()) << r.body;
    json e = body["error"];
    EXPECT_TRUE(e["message"].is_string()) << r.body;
    EXPECT_TRUE(e["type"].is_string()) << r.body;
    EXPECT_TRUE(e.contains("param") && e.contains("code")) << r.body;
    return e;
  }
  std::set<std::string> StoredKeys() {
    std::set<std::string> keys;
    auto listed = store_.List("cand/generated_images/", 100);
    if (listed.ok()) {
      for (const auto& o : *listed) keys.insert(o.key);
    }
    return keys;
  }
};

TEST_F(OpenAiApiTest, NUrlsAnswerImagesStoredUnderTheUsualLayout) {
  HttpResponse r = Generate({{"prompt", "a red fox"}, {"n", 2}, {"size", "256x128"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  EXPECT_TRUE(body["created"].is_number_integer());
  ASSERT_EQ(body["data"].size(), 2u);
  std::set<std::string> keys = StoredKeys();
  ASSERT_EQ(keys.size(), 2u);
  for (const json& image : body["data"]) {
    ASSERT_TRUE(image["url"].is_string()) << image;
    const std::string url = image["url"];
    EXPECT_TRUE(url.starts_with("http://pictor.test/images/cand/generated_images/fake_")) << url;
    EXPECT_FALSE(image.contains("b64_json"));
    EXPECT_EQ(keys.count(url.substr(std::string("http://pictor.test/images/").size())), 1u);
  }
  EXPECT_EQ(model_.calls.load(), 2);
}

TEST_F(OpenAiApiTest, B64JsonCarriesTheStoredPng) {
  HttpResponse r = Generate({{"prompt", "a boat"}, {"response_format", "b64_json"}, {"seed", 5}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  ASSERT_EQ(body["data"].size(), 1u);
  EXPECT_FALSE(body["data"][0].contains("url"));
  auto png = Base64Decode(body["data"][0]["b64_json"].get<std::string>(), Base64Padding::kStrict);
  ASSERT_TRUE(png.has_value());
  std::set<std::string> keys = StoredKeys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(store_.Get(*keys.begin())->data, *png);
  EXPECT_EQ(*png, std::string("\x89PNG\r\n\x1a\n") + "a boat#5");
}

TEST_F(OpenAiApiTest, AGivenSeedStartsTheSeedsOfNDifferentImages) {
  HttpResponse r = Generate({{"prompt", "a lamp"}, {"n", 3}, {"seed", 7}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::set<std::string> seeds;
  for (const std::string& key : StoredKeys()) {
    seeds.insert(key.substr(0, key.rfind('_')).substr(key.find("fake_") + 5));
  }
  EXPECT_EQ(seeds, (std::set<std::string>{"7", "8", "9"}));
}

TEST_F(OpenAiApiTest, NImagesAreGeneratedConcurrently) {
  model_.Hold();
  HttpResponse r;
  std::thread client([&] { r = Generate({{"prompt", "three cats"}, {"n", 3}}); });
  // All three are inside the model at once: none waits for another to finish.
  const bool all_three = model_.WaitForHeld(3, std::chrono::seconds(30));
  model_.Release();
  client.join();
  EXPECT_TRUE(all_three);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["data"].size(), 3u);
}

// A request holds n images' worth of the memory budget while it runs: with room for two images,
// one request of n=2 in progress leaves none for another request.
TEST_F(OpenAiApiTest, NImagesHoldNTimesTheMemoryBudgetOfOne) {
  ApiOptions options;
  options.sync_memory_bytes = EstimateGenerationBytes(64, 64) * 2;
  api_ = std::make_unique<Api>(pipeline_, queue_.get(), ledger_.get(), metrics_, options);
  model_.Hold();
  HttpResponse two;
  std::thread first([&] { two = Generate({{"prompt", "x"}, {"n", 2}, {"size", "64x64"}}); });
  const bool running = model_.WaitForHeld(2, std::chrono::seconds(30));
  // Asynchronous, so that a request wrongly let in (it would wait in the held model) fails the
  // test rather than hanging it.
  auto second = std::async(std::launch::async, [&] {
    return Generate({{"prompt", "y"}, {"size", "64x64"}});
  });
  const bool answered = second.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  model_.Release();
  first.join();
  HttpResponse refused = second.get();
  ASSERT_TRUE(running);
  EXPECT_TRUE(answered) << "the second request was not refused at once";
  EXPECT_EQ(two.status, 200) << two.body;
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Error(refused)["code"], "overloaded");
  EXPECT_EQ(Error(refused)["type"], "server_error");
  EXPECT_EQ(refused.headers.Get("Retry-After"), "1");
  EXPECT_EQ(model_.calls.load(), 2);
}

TEST_F(OpenAiApiTest, HarmlessOpenAiFieldsAreAccepted) {
  json body = {{"prompt", "a hill"},        {"model", nullptr},    {"quality", "standard"},
               {"background", "opaque"},    {"moderation", "low"}, {"output_format", "png"},
               {"output_compression", 100}, {"stream", false},     {"partial_images", 0},
               {"style", nullptr},          {"user", "user-1234"}, {"size", "auto"},
               {"negative_prompt", "fog"}};
  HttpResponse r = Generate(body);
  EXPECT_EQ(r.status, 200) << r.body;
}

struct BadInput {
  json body;
  std::string param;  // "" = null
  std::string code;
};

TEST_F(OpenAiApiTest, BadInputIsA400InOpenAiShapeAndGeneratesNothing) {
  const BadInput cases[] = {
      {{{"prompt", "x"}, {"n", 0}}, "n", "invalid_n"},
      {{{"prompt", "x"}, {"n", 11}}, "n", "invalid_n"},
      {{{"prompt", "x"}, {"n", 1.5}}, "n", "invalid_n"},
      {{{"prompt", "x"}, {"n", "2"}}, "n", "invalid_n"},
      {{{"prompt", "x"}, {"size", "1024"}}, "size", "invalid_size"},
      {{{"prompt", "x"}, {"size", "abcxdef"}}, "size", "invalid_size"},
      {{{"prompt", "x"}, {"size", "0x0"}}, "size", "invalid_size"},
      {{{"prompt", "x"}, {"size", "4096x4096"}}, "size", "invalid_size"},
      {{{"prompt", "x"}, {"size", " 512x512"}}, "size", "invalid_size"},
      {{{"prompt", "x"}, {"response_format", "jpeg"}}, "response_format", "unsupported_value"},
      {{{"prompt", "x"}, {"quality", "hd"}}, "quality", "unsupported_value"},
      {{{"prompt", "x"}, {"style", "vivid"}}, "style", "unsupported_value"},
      {{{"prompt", "x"}, {"output_format", "webp"}}, "output_format", "unsupported_value"},
      {{{"prompt", "x"}, {"background", "transparent"}}, "background", "unsupported_value"},
      {{{"prompt", "x"}, {"stream", true}}, "stream", "unsupported_value"},
      {{{"prompt", "x"}, {"temperature", 1}}, "temperature", "unknown_parameter"},
      {{{"prompt", "x"}, {"seed", -1}}, "seed", "invalid_seed"},
      {{{"prompt", "x"}, {"model", 3}}, "model", "invalid_type"},
      {{{"n", 1}}, "prompt", "prompt_required"},
      {{{"prompt", "   "}}, "prompt", "prompt_required"},
      {{{"prompt", nullptr}}, "prompt", "invalid_type"},
      {json::array({1}), "", "malformed_json"},
  };
  for (const BadInput& c : cases) {
    HttpResponse r = Generate(c.body);
    ASSERT_EQ(r.status, 400) << c.body << " -> " << r.body;
    json e = Error(r);
    EXPECT_EQ(e["type"], "invalid_request_error") << r.body;
    EXPECT_EQ(e["code"], c.code) << c.body << " -> " << r.body;
    if (c.param.empty()) {
      EXPECT_TRUE(e["param"].is_null()) << r.body;
    } else {
      EXPECT_EQ(e["param"], c.param) << c.body << " -> " << r.body;
    }
  }
  HttpResponse malformed = Call("POST", "/v1/images/generations", "{\"prompt\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Error(malformed)["code"], "malformed_json");
  EXPECT_EQ(model_.calls.load(), 0);
  EXPECT_TRUE(StoredKeys().empty());
}

TEST_F(OpenAiApiTest, MessagesSayWhatIsWrong) {
  EXPECT_EQ(Error(Generate({{"prompt", "x"}, {"size", "1024"}}))["message"],
            "size '1024' is not WIDTHxHEIGHT in pixels, such as '1024x1024' (or 'auto')");
  EXPECT_EQ(Error(Generate({{"prompt", "x"}, {"n", 11}}))["message"],
            "n must be an integer between 1 and 10, not 11");
  std::string jpeg = Error(Generate({{"prompt", "x"}, {"response_format", "jpeg"}}))["message"];
  EXPECT_NE(jpeg.find("'url', 'b64_json'"), std::string::npos) << jpeg;
}

TEST_F(OpenAiApiTest, TheModelsOwnSizeLimitIsA400BeforeAnyCall) {
  model_.max_side = 512;
  HttpResponse r = Generate({{"prompt", "x"}, {"size", "1024x1024"}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Error(r)["param"], "size");
  EXPECT_EQ(Error(r)["message"], "fake model allows at most 512");
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(OpenAiApiTest, AModelNotInTheCatalogIs404AndASpecFromTheClientIsNotOne) {
  for (const char* name :
       {"dall-e-3", "bedrock:amazon.titan-image-generator-v2:0", "openai:http://192.0.2.1/v1"}) {
    HttpResponse r = Generate({{"prompt", "x"}, {"model", name}});
    ASSERT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(Error(r)["code"], "model_not_found");
    EXPECT_EQ(Error(r)["param"], "model");
  }
  EXPECT_EQ(model_.calls.load(), 0);
  // The configured model answers to its listed id.
  EXPECT_EQ(Generate({{"prompt", "x"}, {"model", "fake"}}).status, 200);
}

TEST_F(OpenAiApiTest, AFailedImageFailsTheRequestInOpenAiShape) {
  model_.FailNext(Status::Unavailable("model down at 10.0.0.7"));
  HttpResponse r = Generate({{"prompt", "x"}, {"n", 2}});
  ASSERT_EQ(r.status, 503) << r.body;
  json e = Error(r);
  EXPECT_EQ(e["type"], "server_error");
  EXPECT_EQ(r.body.find("10.0.0.7"), std::string::npos) << r.body;  // no server detail
  EXPECT_EQ(r.headers.Get("Retry-After"), "1");

  model_.FailNext(Status::InvalidArgument("the prompt was refused", "content_filtered"));
  HttpResponse refused = Generate({{"prompt", "x"}});
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Error(refused)["code"], "content_filtered");
}

TEST_F(OpenAiApiTest, ModelsAreListedInOpenAiShape) {
  HttpResponse r = Call("GET", "/v1/models");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  EXPECT_EQ(body["object"], "list");
  ASSERT_EQ(body["data"].size(), 1u);
  EXPECT_EQ(body["data"][0]["id"], "fake");
  EXPECT_EQ(body["data"][0]["object"], "model");
  EXPECT_EQ(body["data"][0]["owned_by"], "pictor");
  EXPECT_TRUE(body["data"][0]["created"].is_number_integer());

  HttpResponse one = Call("GET", "/v1/models/fake");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one), body["data"][0]);
  HttpResponse none = Call("GET", "/v1/models/dall-e-3");
  ASSERT_EQ(none.status, 404);
  EXPECT_EQ(Error(none)["code"], "model_not_found");
}

TEST_F(OpenAiApiTest, RefusalsOfTheRouteTableUnderV1TakeOpenAiShape) {
  HttpResponse missing = Call("POST", "/v1/images/edits", "{}");
  ASSERT_EQ(missing.status, 404);
  EXPECT_EQ(Error(missing)["code"], "not_found");
  HttpResponse method = Call("GET", "/v1/images/generations");
  ASSERT_EQ(method.status, 405);
  EXPECT_EQ(Error(method)["code"], "method_not_allowed");
  EXPECT_EQ(method.headers.Get("Allow"), "POST");
  HttpResponse not_json = Call("POST", "/v1/images/generations", "prompt=x",
                               {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(not_json.status, 415);
  EXPECT_EQ(Error(not_json)["code"], "unsupported_media_type");
  // Pictor's own routes keep Pictor's shape.
  EXPECT_EQ(Body(Call("GET", "/no/such"))["error"], "not_found");
}

// The refusals of authentication, rate limits and budgets on /v1/ paths go through
// OpenAiErrorResponse: the statuses the SDKs turn into AuthenticationError,
// PermissionDeniedError and RateLimitError, with Retry-After until the status's retry time.
TEST(OpenAiErrorResponse, CallerRefusalsTakeTheStatusesTheSdksMap) {
  HttpResponse unauthenticated = OpenAiErrorResponse(Status::Unauthenticated("unknown API key"));
  EXPECT_EQ(unauthenticated.status, 401);
  json e = json::parse(unauthenticated.body)["error"];
  EXPECT_EQ(e["message"], "unknown API key");
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_EQ(e["code"], "invalid_api_key");
  EXPECT_TRUE(e["param"].is_null());

  HttpResponse forbidden = OpenAiErrorResponse(Status::Forbidden("the key lacks generate"));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(json::parse(forbidden.body)["error"]["code"], "insufficient_scope");

  const int64_t in_30s = NowMs() + 30000;
  HttpResponse limited =
      OpenAiErrorResponse(Status::QuotaExceeded("60 requests a minute", "rate_limited", in_30s));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json::parse(limited.body)["error"]["type"], "requests");
  EXPECT_EQ(json::parse(limited.body)["error"]["code"], "rate_limited");
  const int retry_after = std::stoi(std::string(limited.headers.Get("Retry-After").value_or("0")));
  EXPECT_GE(retry_after, 29);
  EXPECT_LE(retry_after, 30);

  HttpResponse spent = OpenAiErrorResponse(
      Status::QuotaExceeded("the budget of 5 USD a day is spent", "budget_exhausted", 1));
  EXPECT_EQ(spent.status, 429);
  EXPECT_EQ(json::parse(spent.body)["error"]["type"], "insufficient_quota");
  EXPECT_EQ(spent.headers.Get("Retry-After"), "1");  // a reset in the past: at least 1 s

  HttpResponse internal = OpenAiErrorResponse(Status::Internal("/var/secret/path broke"), "size");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("/var/secret"), std::string::npos) << internal.body;
  EXPECT_EQ(json::parse(internal.body)["error"]["type"], "server_error");
  EXPECT_TRUE(json::parse(internal.body)["error"]["param"].is_null());
}

TEST(ParseImageSize, TakesOnlyDigitsXDigits) {
  int w = 0;
  int h = 0;
  EXPECT_TRUE(ParseImageSize("1024x768", &w, &h));
  EXPECT_EQ(w, 1024);
  EXPECT_EQ(h, 768);
  for (const char* bad : {"1024", "x", "1024x", "x768", "+1x1", "1x-1", "1 x1", "123456x1",
                          "1024X768", "abcxdef", "1x1x1"}) {
    EXPECT_FALSE(ParseImageSize(bad, &w, &h)) << bad;
  }
}

}  // namespace
}  // namespace pictor::http::testing
