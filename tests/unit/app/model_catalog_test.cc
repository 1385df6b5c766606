// The configured model catalog: aliases as the operator writes them, the models they build (once,
// shared by aliases of one spec), and the names a client may use: the configured model and the
// aliases, never a spec of its own.
#include "app/model_catalog.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fakes/memory_store.h"
#include "model/builtin/builtin_model.h"

namespace pictor::app {
namespace {

TEST(ModelAliases, ParsesNameEqualsSpec) {
  auto aliases = ParseModelAliases(
      {"dall-e-3=builtin", " titan = bedrock:amazon.titan-image-generator-v2:0 "});
  ASSERT_TRUE(aliases.ok()) << aliases.status().ToString();
  ASSERT_EQ(aliases->size(), 2u);
  EXPECT_EQ((*aliases)[0].name, "dall-e-3");
  EXPECT_EQ((*aliases)[0].spec, "builtin");
  EXPECT_EQ((*aliases)[1].name, "titan");
  EXPECT_EQ((*aliases)[1].parsed.kind, ModelSpec::Kind::kBedrock);
  EXPECT_EQ((*aliases)[1].parsed.model_id, "amazon.titan-image-generator-v2:0");
}

TEST(ModelAliases, RefusesWhatIsNotAnAlias) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"builtin"},
                                             {"=builtin"},
                                             {"a b=builtin"},
                                             {"a/b=builtin"},
                                             {std::string(65, 'a') + "=builtin"},
                                             {"x=nosuch:model"},
                                             {"x="},
                                             {"x=builtin", "x=builtin"}}) {
    auto aliases = ParseModelAliases(bad);
    EXPECT_TRUE(aliases.status().IsInvalidArgument()) << bad[0];
    EXPECT_NE(aliases.status().message().find("--model-alias"), std::string::npos)
        << aliases.status().message();
  }
}

TEST(ModelAliases, TheEnvironmentsListSplitsAtCommas) {
  EXPECT_EQ(SplitAliasList(" a=builtin, b=builtin ,,"),
            (std::vector<std::string>{"a=builtin", "b=builtin"}));
  EXPECT_TRUE(SplitAliasList("").empty());
}

// A configuration file in a fresh temporary folder, removed with it.
class AliasFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pictor-aliases-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    unsetenv("PICTOR_MODEL_ALIASES");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    const std::string path = dir_ + "/pictor.toml";
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(AliasFileTest, FlagsThenTheEnvironmentThenTheFile) {
  const std::string file =
      Write("budgets = []\n[model_aliases]\ndall-e-3 = \"builtin\"\ngpt-image-1 = \"builtin\"\n");
  auto from_file = AliasTexts({}, file);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(*from_file, (std::vector<std::string>{"dall-e-3=builtin", "gpt-image-1=builtin"}));
  EXPECT_TRUE(ParseModelAliases(*from_file).ok());
  EXPECT_EQ(*AliasTexts({"a=builtin"}, file), (std::vector<std::string>{"a=builtin"}));
  setenv("PICTOR_MODEL_ALIASES", "b=builtin", 1);
  EXPECT_EQ(*AliasTexts({}, file), (std::vector<std::string>{"b=builtin"}));
  unsetenv("PICTOR_MODEL_ALIASES");
  EXPECT_TRUE(AliasTexts({}, "")->empty());
  EXPECT_TRUE(AliasTexts({}, Write("[prices]\nbuiltin = 1\n"))->empty());
}

TEST_F(AliasFileTest, AValueThatIsNotASpecStringNamesTheFileAndKey) {
  const std::string number = Write("[model_aliases]\nfast = 3\n");
  Status s = AliasTexts({}, number).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("model_aliases.fast"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(number), std::string::npos) << s.message();
  EXPECT_TRUE(AliasTexts({}, Write("model_aliases = \"x\"\n")).status().IsInvalidArgument());
  EXPECT_TRUE(AliasTexts({}, Write("[model_aliases\n")).status().IsInvalidArgument());
  EXPECT_TRUE(AliasTexts({}, dir_ + "/missing.toml").status().IsInvalidArgument());
}

TEST(ModelCatalog, AnOpenAiSpecIsListedWithoutItsUrl) {
  ModelSpec openai{ModelSpec::Kind::kOpenAi, "", "http://10.0.0.5:8080/v1"};
  EXPECT_EQ(ListedModelId(openai, "openai:http://10.0.0.5:8080/v1"), "openai");
  EXPECT_EQ(ListedModelId(ModelSpec{}, "builtin"), "builtin");
}

class ModelCatalogTest : public ::testing::Test {
 protected:
  std::unique_ptr<ImageModel> model_ = NewBuiltinModel();
  testing::MemoryStore store_;
  Pipeline pipeline_{*model_, store_, [] {
                       PipelineOptions o;
                       o.key_prefix = "cand";
                       o.model_label = "builtin";
                       return o;
                     }()};
};

TEST_F(ModelCatalogTest, ListsTheConfiguredModelThenTheAliases) {
  auto aliases = ParseModelAliases({"dall-e-3=builtin", "gpt-image-1=openai:http://127.0.0.1:9"});
  ASSERT_TRUE(aliases.ok());
  auto catalog = BuildModelCatalog(pipeline_, "builtin", *aliases);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const http::ModelCatalog& c = **catalog;
  EXPECT_EQ(c.Ids(), (std::vector<std::string>{"builtin", "dall-e-3", "gpt-image-1"}));
  EXPECT_EQ(c.Find(""), &pipeline_);
  EXPECT_EQ(c.Find("builtin"), &pipeline_);
  // An alias of the configured spec is the configured model itself: no second model.
  EXPECT_EQ(c.Find("dall-e-3"), &pipeline_);
  // Another spec has a model and pipeline of its own, over the same store and options.
  const Pipeline* other = c.Find("gpt-image-1");
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other, &pipeline_);
  EXPECT_EQ(other->model.Name(), "openai");
  EXPECT_EQ(&other->store, &store_);
  EXPECT_EQ(other->key_prefix, "cand");
  EXPECT_EQ(other->model_label, "openai:http://127.0.0.1:9");
  // A client's own spec is no name in the catalog.
  EXPECT_EQ(c.Find("openai:http://127.0.0.1:9"), nullptr);
  EXPECT_EQ(c.Find("bedrock:amazon.titan-image-generator-v2:0"), nullptr);
  EXPECT_EQ(c.Find("dall-e-2"), nullptr);
}

TEST_F(ModelCatalogTest, AliasesOfOneSpecShareOneModel) {
  auto aliases = ParseModelAliases({"a=openai:http://127.0.0.1:9", "b=openai:http://127.0.0.1:9"});
  ASSERT_TRUE(aliases.ok());
  auto catalog = BuildModelCatalog(pipeline_, "builtin", *aliases);
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ((*catalog)->Find("a"), (*catalog)->Find("b"));
}

TEST_F(ModelCatalogTest, AnAliasMayNotTakeTheConfiguredModelsName) {
  auto aliases = ParseModelAliases({"builtin=openai:http://127.0.0.1:9"});
  ASSERT_TRUE(aliases.ok());
  auto catalog = BuildModelCatalog(pipeline_, "builtin", *aliases);
  EXPECT_TRUE(catalog.status().IsInvalidArgument());
}

}  // namespace
}  // namespace pictor::app
