// GET /models (what the configured model accepts, from the objects that enforce it) and the
// page's routes (GET /, its assets: content types, ETag, CSP).
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"
#include "http/web_page.h"
#include "pictor/image_model_wrapper.h"

namespace pictor::http::testing {
namespace {

using nlohmann::json;

class ModelsTest : public ApiTest {};

TEST_F(ModelsTest, DescribesTheConfiguredModelWithTheServersLimits) {
  pipeline_.limits.max_prompt_chars = 40;
  HttpResponse r = Call("GET", "/models");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  EXPECT_EQ(body["name"], "fake");
  EXPECT_EQ(body["prompt"]["max_chars"], 40);
  EXPECT_EQ(body["negative_prompt"]["max_chars"], 40);
  EXPECT_EQ(body["seed"], json({{"min", 0}, {"max", kMaxSeed}}));
  EXPECT_EQ(body["default_size"], json({{"width", 512}, {"height", 512}}));
  EXPECT_EQ(body["default_size_accepted"], true);
  EXPECT_EQ(body["size_range"]["min_side"], pipeline_.limits.min_side);
  EXPECT_EQ(body["size_range"]["max_side"], pipeline_.limits.max_side);
  EXPECT_EQ(body["price_usd"], 0);
}

TEST_F(ModelsTest, ListsOnlySizesAJobIsAcceptedWith) {
  model_.max_side = 1024;
  model_.price_usd = 0.04;
  json body = Body(Call("GET", "/models"));
  ASSERT_FALSE(body["sizes"].empty());
  EXPECT_EQ(body["price_usd"], 0.04);
  for (const json& size : body["sizes"]) {
    EXPECT_LE(size["width"].get<int>(), 1024) << size;
    EXPECT_LE(size["height"].get<int>(), 1024) << size;
    EXPECT_EQ(size["price_usd"], 0.04);
    json job = {{"prompt", "a kite"}, {"width", size["width"]}, {"height", size["height"]}};
    EXPECT_EQ(Call("POST", "/jobs", job.dump()).status, 202) << size;
  }
}

// A model with a fixed list of sizes and its own prompt and seed limits.
class ListedSizesModel final : public ImageModelWrapper {
 public:
  using ImageModelWrapper::ImageModelWrapper;
  ModelLimits Limits() const override {
    ModelLimits limits;
    limits.sizes = {{1024, 1024}, {768, 768}, {4096, 4096}};
    limits.max_prompt_chars = 20;
    limits.max_seed = 1000;
    return limits;
  }
  Status Check(const GenerationRequest& r) const override {
    for (ImageSize size : Limits().sizes) {
      if (size.width == r.width && size.height == r.height) return Status::Ok();
    }
    return Status::InvalidArgument("not a listed size", "invalid_size");
  }
};

TEST_F(ModelsTest, AModelsOwnLimitsNarrowTheServers) {
  ListedSizesModel listed(model_);
  Pipeline pipeline(listed, store_, pipeline_.options());
  Api api(pipeline, queue_.get(), ledger_.get(), metrics_, ApiOptions{});
  HttpRequest request;
  request.method = "GET";
  request.path = "/models";
  json body = json::parse(api.Handle(request).body);
  EXPECT_EQ(body["prompt"]["max_chars"], 20);
  EXPECT_EQ(body["seed"]["max"], 1000);
  // 4096 is past the server's max_side, and 512 x 512 (the default) is not the model's.
  EXPECT_EQ(body["sizes"], json::array({{{"width", 1024}, {"height", 1024}, {"price_usd", 0}},
                                        {{"width", 768}, {"height", 768}, {"price_usd", 0}}}));
  EXPECT_EQ(body["default_size_accepted"], false);
  EXPECT_TRUE(body["size_range"].is_null());
}

TEST_F(ModelsTest, ThePageIsServedWithItsTypeCspAndEtag) {
  HttpResponse page = Call("GET", "/", "", {});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(page.headers.Get("Content-Security-Policy").value_or(""), kPageContentSecurityPolicy);
  EXPECT_NE(page.body.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);  // nothing inline
  const std::string etag(page.headers.Get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  HttpResponse again = Call("GET", "/", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  HttpResponse script = Call("GET", "/app.js", "", {});
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.Get("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_NE(script.headers.Get("ETag").value_or(""), etag);
  EXPECT_EQ(Call("GET", "/app.css", "", {}).headers.Get("Content-Type").value_or(""),
            "text/css; charset=utf-8");
  EXPECT_EQ(Call("GET", "/favicon.svg", "", {}).headers.Get("Content-Type").value_or(""),
            "image/svg+xml");
  EXPECT_EQ(Call("GET", "/index.html", "", {}).status, 404);  // the page is at /
  EXPECT_EQ(Call("GET", "/nothing.js", "", {}).status, 404);
}

}  // namespace
}  // namespace pictor::http::testing
