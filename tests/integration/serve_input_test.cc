// What `pictor serve` accepts and refuses: the exact status and "error" code of each kind of bad
// request, the limits at their boundaries, and that bad requests do not harm the server.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

TEST_F(ServeTest, PromptOf512MultiByteCharactersIsAccepted) {
  Json body = {{"prompt", RepeatA(512)}, {"width", 64}, {"height", 64}};
  HttpResult r = Post("/generate-image", body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, PromptWithNewlineAndTabIsAccepted) {
  Json body = {{"prompt", "a cat\non a mat\twith a hat"}, {"width", 64}, {"height", 64}};
  HttpResult r = Post("/generate-image", body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, MissingContentTypeIsTakenAsJson) {
  HttpResult r = Post("/generate-image", R"({"prompt": "a pear", "width": 64, "height": 64})",
                      {{"Content-Type", ""}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeTest, BodyOfExactly64KiBIsReadAndJudgedOnItsContent) {
  std::string body = R"({"prompt": ")" + std::string(65536 - 14, 'a') + R"("})";
  ASSERT_EQ(body.size(), 65536u);
  HttpResult r = Post("/generate-image", body);
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  EXPECT_EQ(ParseJson(r)["error"], "prompt_too_long");
}

TEST_F(ServeTest, RejectedJobQueuesNothing) {
  HttpResult r = Post("/jobs", R"({"prompt": "a cat", "style": "oil"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ParseJson(r)["error"], "unknown_field");
  auto q = QueueState(QueuePath(dir_));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->visible + q->in_flight + q->delayed, 0);
}

TEST_F(ServeTest, ServerStaysUpAfter200BadRequests) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/generate-image", R"({"prompt": ""})"},
      {"/generate-image", R"({"prompt": "x", "seed": -1})"},
      {"/generate-image", "{not json"},
      {"/generate-image", "[1, 2, 3]"},
      {"/generate-image", R"({"prompt": "x", "width": 10})"},
      {"/jobs", R"({"prompt": "x", "extra": 1})"},
      {"/generate-image", std::string("{\"prompt\": \"\xff\xfe\"}")},
      {"/generate-image", std::string(65537, '{')},
  };
  for (int i = 0; i < 200; ++i) {
    const auto& [path, body] = bad[static_cast<size_t>(i) % bad.size()];
    HttpResult r = Post(path, body);
    ASSERT_GE(r.status, 400) << "request " << i << ": " << r.error;
    ASSERT_LT(r.status, 500) << "request " << i << ": " << r.body;
  }
  EXPECT_EQ(Http("PUT", server_.base_url + "/generate-image", "{}").status, 405);
  HttpResult good = Post("/generate-image", R"({"prompt": "still here", "width": 64})");
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_TRUE(server_.process->Running());
}

// One bad request and the exact answer it must get.
struct BadRequest {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;  // empty: application/json
  long status;
  std::string error;  // the "error" field; empty: not checked
};

std::ostream& operator<<(std::ostream& os, const BadRequest& b) { return os << b.name; }

class ServeBadRequestTest : public ServeTest, public testing::WithParamInterface<BadRequest> {};

TEST_P(ServeBadRequestTest, AnswersWithTheExactStatusAndErrorCode) {
  const BadRequest& b = GetParam();
  std::vector<std::pair<std::string, std::string>> headers;
  if (!b.content_type.empty()) headers.emplace_back("Content-Type", b.content_type);
  HttpResult r = Http(b.method, server_.base_url + b.path, b.body, headers);
  ASSERT_EQ(r.status, b.status) << r.error << r.body.substr(0, 300);
  Json j = ParseJson(r);
  if (!b.error.empty()) {
    EXPECT_EQ(j["error"], b.error) << r.body;
  }
  EXPECT_TRUE(j["message"].is_string()) << r.body;
  EXPECT_TRUE(PngFilesUnder(dir_.path() / "images").empty());
}

std::vector<BadRequest> BadRequests() {
  const std::string gen = "/generate-image";
  auto json = [&](std::string name, std::string body, long status, std::string error) {
    return BadRequest{std::move(name), "POST", gen, std::move(body), "", status, std::move(error)};
  };
  return {
      json("EmptyPrompt", R"({"prompt": ""})", 400, "prompt_required"),
      json("WhitespacePrompt", R"({"prompt": "  \t\n "})", 400, "prompt_required"),
      json("MissingPrompt", R"({"seed": 3})", 400, "prompt_required"),
      json("PromptOf513MultiByteCharacters", Json({{"prompt", RepeatA(513)}}).dump(), 400,
           "prompt_too_long"),
      json("PromptOfInvalidUtf8", "{\"prompt\": \"caf\xc3\x28\"}", 400, ""),
      json("PromptWithAControlCharacter", R"({"prompt": "a\u0001b"})", 400, "invalid_prompt"),
      json("PromptWithNul", R"({"prompt": "a\u0000b"})", 400, "invalid_prompt"),
      json("PromptWithLoneSurrogate", R"({"prompt": "a\ud800b"})", 400, ""),
      json("PromptWithDelete", R"({"prompt": "a\u007fb"})", 400, "invalid_prompt"),
      json("PromptNotAString", R"({"prompt": 5})", 400, "invalid_type"),
      json("NegativeSeed", R"({"prompt": "x", "seed": -1})", 400, "invalid_seed"),
      json("SeedAboveMaximum", R"({"prompt": "x", "seed": 2147483647})", 400, "invalid_seed"),
      json("FractionalSeed", R"({"prompt": "x", "seed": 1.5})", 400, "invalid_type"),
      json("SeedAsString", R"({"prompt": "x", "seed": "7"})", 400, "invalid_type"),
      json("WidthBelowMinimum", R"({"prompt": "x", "width": 63})", 400, "invalid_size"),
      json("WidthAboveMaximum", R"({"prompt": "x", "width": 2049})", 400, "invalid_size"),
      json("WidthAsWord", R"({"prompt": "x", "width": "big"})", 400, "invalid_type"),
      json("HeightBelowMinimum", R"({"prompt": "x", "height": 0})", 400, "invalid_size"),
      json("UnknownField", R"({"prompt": "x", "style": "oil"})", 400, "unknown_field"),
      json("JobIdFieldFromOutside", R"({"prompt": "x", "job_id": "abc"})", 400, "unknown_field"),
      json("MalformedJson", R"({"prompt": "x")", 400, "malformed_json"),
      json("EmptyBody", "", 400, "malformed_json"),
      json("JsonArray", R"(["a cat"])", 400, "malformed_json"),
      json("JsonString", R"("a cat")", 400, "malformed_json"),
      BadRequest{"PlainText", "POST", gen, "a cat", "text/plain", 415, "unsupported_media_type"},
      BadRequest{"FormEncoded", "POST", "/jobs", "prompt=x", "application/x-www-form-urlencoded",
                 415, "unsupported_media_type"},
      json("BodyOf64KiBPlusOne", R"({"prompt": ")" + std::string(65537 - 14, 'a') + R"("})", 413,
           "payload_too_large"),
      BadRequest{"UnknownRoute", "GET", "/no/such/route", "", "", 404, "not_found"},
      BadRequest{"PutGenerateImage", "PUT", gen, R"({"prompt": "x"})", "", 405,
                 "method_not_allowed"},
      BadRequest{"PutJob", "PUT", "/jobs/abc", "", "", 405, "method_not_allowed"},
      BadRequest{"DeleteUnknownJob", "DELETE", "/jobs/abc", "", "", 404, "job_not_found"},
      BadRequest{"JobWithUnknownField", "POST", "/jobs", R"({"prompt": "x", "n": 2})", "", 400,
                 "unknown_field"},
      BadRequest{"JobWithTooLongPrompt", "POST", "/jobs", Json({{"prompt", RepeatA(513)}}).dump(),
                 "", 400, "prompt_too_long"},
      BadRequest{"JobWithPromptNotAString", "POST", "/jobs", R"({"prompt": 1})", "", 400,
                 "invalid_type"},
  };
}

INSTANTIATE_TEST_SUITE_P(Inputs, ServeBadRequestTest, testing::ValuesIn(BadRequests()),
                         [](const testing::TestParamInfo<BadRequest>& info) {
                           return info.param.name;
                         });

TEST_F(ServeTest, BoundaryValuesAreAccepted) {
  const std::vector<std::string> bodies = {
      R"({"prompt": "x", "seed": 0, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": 2147483646, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": null, "width": 64, "height": 64})",
      R"({"prompt": "x", "seed": 5.0, "width": 64, "height": 64})",
      R"({"prompt": "x", "width": 2048, "height": 64})",
      R"({"prompt": "x", "negative_prompt": "", "width": 64, "height": 64})",
  };
  for (const auto& body : bodies) {
    HttpResult r = Post("/generate-image", body);
    EXPECT_EQ(r.status, 200) << body << " -> " << r.body;
  }
  Json j = ParseJson(Post("/generate-image", bodies[1]));
  EXPECT_EQ(j["seed"], 2147483646u);
}

TEST_F(ServeTest, PutGenerateImageNamesTheAllowedMethod) {
  HttpResult r = Http("PUT", server_.base_url + "/generate-image", R"({"prompt": "x"})");
  ASSERT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "POST");
}

TEST_F(ServeTest, InvalidIdempotencyKeyIsRefused) {
  HttpResult r = Post("/jobs", R"({"prompt": "x"})", {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ParseJson(r)["error"], "invalid_idempotency_key");
}

TEST_F(ServeTest, HostileHostHeadersGiveRelativeUrls) {
  const std::vector<std::string> hostile = {"evil.com/x", "evil.com@x",     "\"evil\"",
                                            "a b",        "evil.com:99999", std::string(300, 'h')};
  for (const std::string& host : hostile) {
    HttpResult r = Post("/jobs", R"({"prompt": "a heron"})", {{"Host", host}});
    ASSERT_EQ(r.status, 202) << host << ": " << r.body;
    EXPECT_EQ(r.Header("location").rfind("/jobs/", 0), 0u) << host << ": " << r.Header("location");
    EXPECT_EQ(ParseJson(r)["status_url"].get<std::string>().rfind("/jobs/", 0), 0u) << host;
  }
  HttpResult r = Post("/jobs", R"({"prompt": "a heron"})", {{"Host", "pictor.example:8080"}});
  EXPECT_EQ(r.Header("location").rfind("http://pictor.example:8080/jobs/", 0), 0u)
      << r.Header("location");
}

TEST_F(ServeTest, DuplicateIdempotencyKeyHeadersAreRefused) {
  HttpResult r =
      Post("/jobs", R"({"prompt": "x"})", {{"Idempotency-Key", "one"}, {"Idempotency-Key", "two"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(ParseJson(r)["error"], "duplicate_idempotency_key");
}

TEST(ServePublicUrlTest, PublicUrlIsTheBaseOfLocationStatusUrlAndImageUrl) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(StartServe(dir, &server, {"--workers", "0"},
                         {{"PICTOR_PUBLIC_URL", "https://images.example.com/pictor/"}}));
  HttpResult job =
      Http("POST", server.base_url + "/jobs", R"({"prompt": "a heron"})", {{"Host", "evil.com"}});
  ASSERT_EQ(job.status, 202) << job.body;
  EXPECT_EQ(job.Header("location").rfind("https://images.example.com/pictor/jobs/", 0), 0u)
      << job.Header("location");
  HttpResult image = Http("POST", server.base_url + "/generate-image",
                          R"({"prompt": "a heron", "width": 64, "height": 64})");
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_EQ(ParseJson(image)["url"].get<std::string>().rfind(
                "https://images.example.com/pictor/images/", 0),
            0u)
      << image.body;
}

TEST(ServePublicUrlTest, AnInvalidPublicUrlIsAUsageError) {
  TempDir dir;
  for (const char* bad :
       {"ftp://x.example", "https://x.example/?q=1", "https://u@x.example", "x.example"}) {
    RunResult r = RunPictor(dir, {"serve", "--listen", "127.0.0.1:0", "--store", StoreSpec(dir),
                                  "--queue", QueueSpec(dir), "--public-url", bad});
    EXPECT_EQ(r.code(), 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--public-url"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace pictor::integration
