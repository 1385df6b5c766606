// Lexicon: what the builtin renderer understands in a prompt (English and Norwegian).
#ifndef PICTOR_IMAGE_LEXICON_H_
#define PICTOR_IMAGE_LEXICON_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/canvas.h"

namespace pictor::image {

enum class Motif {
  kCat,
  kDog,
  kPyramid,
  kMoon,
  kRocket,
  kSalmon,
  kFish,
  kStar,
  kSun,
  kTree,
  kHouse,
  kShip,
  kBoat,
  kBird,
  kFlower,
  kMountain,
  kCloud,
  kCar,
  kPerson,
  kCake,
  kBalloon,
  kHeart,
  kCastle,
  kHorse,
  kWhale,
  kPlanet,
  kTent,
  kUmbrella,
  kRobot,
  kDragon,
  kPalm,
  kButterfly,
  kSnowman,
  kLighthouse,
};
inline constexpr int kMotifCount = static_cast<int>(Motif::kLighthouse) + 1;

// An English name for logs and tests ("cat").
std::string_view MotifName(Motif motif);

enum class Backdrop { kDay, kNight, kSpace, kDesert, kOcean, kForest, kCity };

// One motif the prompt asks for.
struct MotifWish {
  Motif motif;
  int count = 1;              // 2..3 when the noun was plural
  std::optional<Rgb> colour;  // set by a colour word next to the noun
  bool egyptian = false;      // people in Egyptian dress
};

// What the renderer takes from a prompt.
struct SceneWords {
  std::vector<MotifWish> motifs;     // in prompt order, one entry per distinct motif
  std::optional<Backdrop> backdrop;  // from a scene word; nullopt when none was given
  bool magical = false;              // "magical", "magisk": sparkles
};

// Lower-cases ASCII and the Norwegian/Latin-1 capitals (Æ Ø Å É ...) and splits on anything
// that is not a letter or digit. Invalid UTF-8 bytes are treated as separators.
std::vector<std::string> Tokenize(std::string_view prompt);

// Finds the motif a single (lower-case) word names, trying plural and definite forms
// ("cats", "katter", "katten", "pyramidene"). Sets *plural when the form was plural.
std::optional<Motif> LookUpMotif(std::string_view word, bool* plural = nullptr);

// Reads a whole prompt. Never fails: unknown words are ignored. Any byte string is accepted.
SceneWords ReadPrompt(std::string_view prompt);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_LEXICON_H_
