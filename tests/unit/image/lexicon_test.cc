#include "image/lexicon.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pictor::image {
namespace {

struct NounCase {
  Motif motif;
  std::vector<std::string> words;  // English and Norwegian, singular, plural and definite
};

const std::vector<NounCase>& NounTable() {
  static const std::vector<NounCase> kTable = {
      {Motif::kCat, {"cat", "cats", "katt", "katter", "katten", "kattene"}},
      {Motif::kDog, {"dog", "dogs", "hund", "hunder", "hunden"}},
      {Motif::kPyramid, {"pyramid", "pyramids", "pyramide", "pyramider", "pyramidene"}},
      {Motif::kMoon, {"moon", "moons", "måne", "månen", "måner"}},
      {Motif::kRocket, {"rocket", "rockets", "rakett", "raketten", "raketter"}},
      {Motif::kSalmon, {"salmon", "laks", "laksen"}},
      {Motif::kFish, {"fish", "fishes", "fisk", "fisker", "fiskene"}},
      {Motif::kStar, {"star", "stars", "stjerne", "stjerner", "stjernene"}},
      {Motif::kSun, {"sun", "suns", "sol", "solen", "sola"}},
      {Motif::kTree, {"tree", "trees", "tre", "treet", "trær"}},
      {Motif::kHouse, {"house", "houses", "hus", "huset", "husene"}},
      {Motif::kShip, {"ship", "ships", "skip", "skipet", "skipene"}},
      {Motif::kBoat, {"boat", "boats", "båt", "båten", "båter"}},
      {Motif::kBird, {"bird", "birds", "fugl", "fugler", "fuglen"}},
      {Motif::kFlower, {"flower", "flowers", "blomst", "blomster", "blomsten"}},
      {Motif::kMountain, {"mountain", "mountains", "fjell", "fjellet", "fjellene"}},
      {Motif::kCloud, {"cloud", "clouds", "sky", "skyer", "skyene"}},
      {Motif::kCar, {"car", "cars", "bil", "biler", "bilen"}},
      {Motif::kPerson, {"person", "people", "egyptians", "menneske", "mennesker", "egyptere"}},
      {Motif::kCake, {"cake", "cakes", "kake", "kaker", "kaken"}},
      {Motif::kBalloon, {"balloon", "balloons", "ballong", "ballonger", "ballongene"}},
      {Motif::kHeart, {"heart", "hearts", "hjerte", "hjerter", "hjertet"}},
      {Motif::kCastle, {"castle", "castles", "slott", "slottet", "slottene"}},
      {Motif::kHorse, {"horse", "horses", "hest", "hester", "hesten"}},
      {Motif::kWhale, {"whale", "whales", "hval", "hvaler", "hvalen"}},
      {Motif::kPlanet, {"planet", "planets", "planeter", "planeten"}},
      {Motif::kTent, {"tent", "tents", "telt", "teltet", "teltene"}},
      {Motif::kUmbrella, {"umbrella", "umbrellas", "paraply", "paraplyer", "paraplyen"}},
      {Motif::kRobot, {"robot", "robots", "roboter", "roboten"}},
      {Motif::kDragon, {"dragon", "dragons", "drage", "drager", "dragen"}},
      {Motif::kPalm, {"palm", "palms", "palme", "palmer"}},
      {Motif::kButterfly, {"butterfly", "butterflies", "sommerfugl", "sommerfugler"}},
      {Motif::kSnowman, {"snowman", "snowmen", "snømann", "snømenn"}},
      {Motif::kLighthouse, {"lighthouse", "lighthouses", "fyrtårn", "fyrtårnet"}},
  };
  return kTable;
}

TEST(Lexicon, RecognisesEveryNounInBothLanguagesAndInflections) {
  ASSERT_GE(NounTable().size(), 30u);
  for (const NounCase& c : NounTable()) {
    for (const std::string& w : c.words) {
      const std::optional<Motif> m = LookUpMotif(w);
      ASSERT_TRUE(m.has_value()) << w;
      EXPECT_EQ(*m, c.motif) << w << " -> " << MotifName(*m);
    }
  }
}

TEST(Lexicon, MarksPluralForms) {
  bool plural = false;
  ASSERT_TRUE(LookUpMotif("katter", &plural));
  EXPECT_TRUE(plural);
  ASSERT_TRUE(LookUpMotif("cats", &plural));
  EXPECT_TRUE(plural);
  ASSERT_TRUE(LookUpMotif("katten", &plural));
  EXPECT_FALSE(plural);
}

TEST(Lexicon, TokenizeLowerCasesNorwegianLetters) {
  EXPECT_EQ(Tokenize("ÆRFUGL på MÅNEN, Ørken!"),
            (std::vector<std::string>{"ærfugl", "på", "månen", "ørken"}));
}

TEST(Lexicon, IgnoresUnknownWords) {
  EXPECT_FALSE(LookUpMotif("xylophone").has_value());
  EXPECT_TRUE(ReadPrompt("nothing here at all").motifs.empty());
}

std::vector<Motif> MotifsOf(const std::string& prompt) {
  std::vector<Motif> out;
  for (const MotifWish& w : ReadPrompt(prompt).motifs) out.push_back(w.motif);
  return out;
}

TEST(Lexicon, NorwegianPromptAndItsTranslationSelectTheSameMotifs) {
  EXPECT_EQ(MotifsOf("En magisk laks som reiser til månen i en rakett"),
            MotifsOf("A magical salmon going to the moon in a rocket"));
  EXPECT_EQ(MotifsOf("To katter og en hund under et tre ved et hus"),
            MotifsOf("Two cats and a dog under a tree by a house"));
}

TEST(Lexicon, BirthdayBringsCakeAndBalloons) {
  const std::vector<Motif> m = MotifsOf("bursdag");
  EXPECT_EQ(m, (std::vector<Motif>{Motif::kCake, Motif::kBalloon}));
}

TEST(Lexicon, ColourWordTintsTheFollowingNoun) {
  const SceneWords w = ReadPrompt("a red cat and a dog");
  ASSERT_EQ(w.motifs.size(), 2u);
  ASSERT_TRUE(w.motifs[0].colour.has_value());
  EXPECT_GT(w.motifs[0].colour->r, 200);
  EXPECT_FALSE(w.motifs[1].colour.has_value());
  const SceneWords n = ReadPrompt("en blå bil");
  ASSERT_EQ(n.motifs.size(), 1u);
  ASSERT_TRUE(n.motifs[0].colour.has_value());
  EXPECT_GT(n.motifs[0].colour->b, 200);
}

TEST(Lexicon, SceneWordsPickTheBackdrop) {
  EXPECT_EQ(ReadPrompt("a cat in space").backdrop, Backdrop::kSpace);
  EXPECT_EQ(ReadPrompt("en katt i verdensrommet").backdrop, Backdrop::kSpace);
  EXPECT_EQ(ReadPrompt("en hund i ørkenen").backdrop, Backdrop::kDesert);
  EXPECT_EQ(ReadPrompt("hav").backdrop, Backdrop::kOcean);
  EXPECT_EQ(ReadPrompt("a forest").backdrop, Backdrop::kForest);
  EXPECT_EQ(ReadPrompt("natt").backdrop, Backdrop::kNight);
  EXPECT_EQ(ReadPrompt("en katt i byen").backdrop, Backdrop::kCity);
  EXPECT_FALSE(ReadPrompt("a cat").backdrop.has_value());
}

TEST(Lexicon, EnglishByIsNotACity) {
  EXPECT_FALSE(ReadPrompt("a dog by the house").backdrop.has_value());
  EXPECT_EQ(ReadPrompt("hund i by").backdrop, Backdrop::kCity);
}

}  // namespace
}  // namespace pictor::image
