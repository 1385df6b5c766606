// The builtin renderer's vocabulary: nouns, colour words and scene words, with a small
// suffix-stripping step for English plurals and Norwegian plural/definite forms.
#include "image/lexicon.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pictor::image {
namespace {

struct NounEntry {
  std::string_view word;
  Motif motif;
  bool plural;  // an irregular plural listed as its own word
};

// Base forms in both languages, and irregular plurals. Regular inflections are found by
// StripSuffixes below.
constexpr NounEntry kNouns[] = {
    {"cat", Motif::kCat, false},
    {"kitten", Motif::kCat, false},
    {"katt", Motif::kCat, false},
    {"pus", Motif::kCat, false},
    {"dog", Motif::kDog, false},
    {"puppy", Motif::kDog, false},
    {"hund", Motif::kDog, false},
    {"valp", Motif::kDog, false},
    {"pyramid", Motif::kPyramid, false},
    {"pyramide", Motif::kPyramid, false},
    {"moon", Motif::kMoon, false},
    {"måne", Motif::kMoon, false},
    {"rocket", Motif::kRocket, false},
    {"rakett", Motif::kRocket, false},
    {"spaceship", Motif::kRocket, false},
    {"romskip", Motif::kRocket, false},
    {"salmon", Motif::kSalmon, false},
    {"laks", Motif::kSalmon, false},
    {"fish", Motif::kFish, false},
    {"fisk", Motif::kFish, false},
    {"star", Motif::kStar, false},
    {"stjerne", Motif::kStar, false},
    {"sun", Motif::kSun, false},
    {"sol", Motif::kSun, false},
    {"tree", Motif::kTree, false},
    {"tre", Motif::kTree, false},
    {"trær", Motif::kTree, true},
    {"trærne", Motif::kTree, true},
    {"house", Motif::kHouse, false},
    {"hus", Motif::kHouse, false},
    {"home", Motif::kHouse, false},
    {"ship", Motif::kShip, false},
    {"skip", Motif::kShip, false},
    {"skute", Motif::kShip, false},
    {"boat", Motif::kBoat, false},
    {"båt", Motif::kBoat, false},
    {"bird", Motif::kBird, false},
    {"fugl", Motif::kBird, false},
    {"flower", Motif::kFlower, false},
    {"blomst", Motif::kFlower, false},
    {"mountain", Motif::kMountain, false},
    {"fjell", Motif::kMountain, false},
    {"cloud", Motif::kCloud, false},
    {"sky", Motif::kCloud, false},
    {"car", Motif::kCar, false},
    {"bil", Motif::kCar, false},
    {"person", Motif::kPerson, false},
    {"people", Motif::kPerson, true},
    {"man", Motif::kPerson, false},
    {"men", Motif::kPerson, true},
    {"woman", Motif::kPerson, false},
    {"women", Motif::kPerson, true},
    {"child", Motif::kPerson, false},
    {"children", Motif::kPerson, true},
    {"menneske", Motif::kPerson, false},
    {"folk", Motif::kPerson, true},
    {"mann", Motif::kPerson, false},
    {"menn", Motif::kPerson, true},
    {"kvinne", Motif::kPerson, false},
    {"barn", Motif::kPerson, false},
    {"egyptian", Motif::kPerson, false},
    {"egypter", Motif::kPerson, false},
    {"egyptere", Motif::kPerson, true},
    {"egypterne", Motif::kPerson, true},
    {"snowmen", Motif::kSnowman, true},
    {"pharaoh", Motif::kPerson, false},
    {"farao", Motif::kPerson, false},
    {"cake", Motif::kCake, false},
    {"kake", Motif::kCake, false},
    {"balloon", Motif::kBalloon, false},
    {"ballong", Motif::kBalloon, false},
    {"heart", Motif::kHeart, false},
    {"hjerte", Motif::kHeart, false},
    {"castle", Motif::kCastle, false},
    {"slott", Motif::kCastle, false},
    {"borg", Motif::kCastle, false},
    {"horse", Motif::kHorse, false},
    {"hest", Motif::kHorse, false},
    {"whale", Motif::kWhale, false},
    {"hval", Motif::kWhale, false},
    {"planet", Motif::kPlanet, false},
    {"tent", Motif::kTent, false},
    {"telt", Motif::kTent, false},
    {"umbrella", Motif::kUmbrella, false},
    {"paraply", Motif::kUmbrella, false},
    {"robot", Motif::kRobot, false},
    {"dragon", Motif::kDragon, false},
    {"drage", Motif::kDragon, false},
    {"palm", Motif::kPalm, false},
    {"palme", Motif::kPalm, false},
    {"butterfly", Motif::kButterfly, false},
    {"sommerfugl", Motif::kButterfly, false},
    {"snowman", Motif::kSnowman, false},
    {"snømann", Motif::kSnowman, false},
    {"snømenn", Motif::kSnowman, true},
    {"lighthouse", Motif::kLighthouse, false},
    {"fyrtårn", Motif::kLighthouse, false},
};

struct ColourEntry {
  std::string_view word;
  Rgb colour;
};

constexpr ColourEntry kColours[] = {
    {"red", {214, 40, 40}},        {"rød", {214, 40, 40}},      {"rødt", {214, 40, 40}},
    {"røde", {214, 40, 40}},       {"blue", {40, 90, 210}},     {"blå", {40, 90, 210}},
    {"blått", {40, 90, 210}},      {"green", {50, 160, 60}},    {"grønn", {50, 160, 60}},
    {"grønt", {50, 160, 60}},      {"grønne", {50, 160, 60}},   {"yellow", {245, 205, 40}},
    {"gul", {245, 205, 40}},       {"gult", {245, 205, 40}},    {"gule", {245, 205, 40}},
    {"purple", {140, 60, 180}},    {"lilla", {140, 60, 180}},   {"fiolett", {140, 60, 180}},
    {"orange", {245, 130, 30}},    {"oransje", {245, 130, 30}}, {"pink", {240, 120, 170}},
    {"rosa", {240, 120, 170}},     {"black", {30, 30, 35}},     {"svart", {30, 30, 35}},
    {"svarte", {30, 30, 35}},      {"white", {245, 245, 245}},  {"hvit", {245, 245, 245}},
    {"hvitt", {245, 245, 245}},    {"hvite", {245, 245, 245}},  {"gold", {225, 180, 50}},
    {"golden", {225, 180, 50}},    {"gull", {225, 180, 50}},    {"gyllen", {225, 180, 50}},
    {"silver", {190, 195, 205}},   {"sølv", {190, 195, 205}},   {"brown", {130, 85, 45}},
    {"brun", {130, 85, 45}},       {"brunt", {130, 85, 45}},    {"brune", {130, 85, 45}},
    {"grey", {128, 128, 135}},     {"gray", {128, 128, 135}},   {"grå", {128, 128, 135}},
    {"turquoise", {40, 190, 190}}, {"turkis", {40, 190, 190}},
};

struct SceneEntry {
  std::string_view word;
  Backdrop backdrop;
};

constexpr SceneEntry kScenes[] = {
    {"space", Backdrop::kSpace},    {"verdensrommet", Backdrop::kSpace},
    {"rommet", Backdrop::kSpace},   {"verdensrom", Backdrop::kSpace},
    {"galaxy", Backdrop::kSpace},   {"galakse", Backdrop::kSpace},
    {"desert", Backdrop::kDesert},  {"ørken", Backdrop::kDesert},
    {"ørkenen", Backdrop::kDesert}, {"sahara", Backdrop::kDesert},
    {"ocean", Backdrop::kOcean},    {"sea", Backdrop::kOcean},
    {"hav", Backdrop::kOcean},      {"havet", Backdrop::kOcean},
    {"sjø", Backdrop::kOcean},      {"sjøen", Backdrop::kOcean},
    {"beach", Backdrop::kOcean},    {"strand", Backdrop::kOcean},
    {"forest", Backdrop::kForest},  {"woods", Backdrop::kForest},
    {"skog", Backdrop::kForest},    {"skogen", Backdrop::kForest},
    {"night", Backdrop::kNight},    {"natt", Backdrop::kNight},
    {"natten", Backdrop::kNight},   {"midnight", Backdrop::kNight},
    {"city", Backdrop::kCity},      {"town", Backdrop::kCity},
    {"byen", Backdrop::kCity},      {"storby", Backdrop::kCity},
    {"day", Backdrop::kDay},        {"dag", Backdrop::kDay},
};

constexpr std::string_view kEnglishFunctionWords[] = {"the", "a",    "an", "and", "of", "in",
                                                      "on",  "with", "to", "is",  "at"};

template <typename Entry, size_t N>
const Entry* Find(const Entry (&table)[N], std::string_view word) {
  for (const Entry& e : table) {
    if (e.word == word) return &e;
  }
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() + 1 && s.substr(s.size() - suffix.size()) == suffix;
}

// Appends the UTF-8 encoding of code point `cp` (< 0x800).
void AppendTwoByte(std::string& out, uint32_t cp) {
  out += static_cast<char>(0xC0 | (cp >> 6));
  out += static_cast<char>(0x80 | (cp & 0x3F));
}

}  // namespace

std::string_view MotifName(Motif motif) {
  static constexpr std::array<std::string_view, kMotifCount> kNames = {
      "cat",    "dog",      "pyramid", "moon",      "rocket",  "salmon",    "fish",
      "star",   "sun",      "tree",    "house",     "ship",    "boat",      "bird",
      "flower", "mountain", "cloud",   "car",       "person",  "cake",      "balloon",
      "heart",  "castle",   "horse",   "whale",     "planet",  "tent",      "umbrella",
      "robot",  "dragon",   "palm",    "butterfly", "snowman", "lighthouse"};
  const int i = static_cast<int>(motif);
  return i >= 0 && i < kMotifCount ? kNames[static_cast<size_t>(i)] : "unknown";
}

std::vector<std::string> Tokenize(std::string_view prompt) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < prompt.size();) {
    const auto c = static_cast<uint8_t>(prompt[i]);
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        word += static_cast<char>(c);
      } else if (c >= 'A' && c <= 'Z') {
        word += static_cast<char>(c - 'A' + 'a');
      } else {
        flush();
      }
      ++i;
      continue;
    }
    // Two-byte sequences cover Latin-1 and Latin Extended, which is all the lexicon needs;
    // longer sequences are kept as opaque letters so words around them stay whole.
    int length = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (length == 0 || i + static_cast<size_t>(length) > prompt.size()) {
      flush();
      ++i;
      continue;
    }
    bool valid = true;
    for (int k = 1; k < length; ++k) {
      valid = valid && (static_cast<uint8_t>(prompt[i + static_cast<size_t>(k)]) & 0xC0) == 0x80;
    }
    if (!valid) {
      flush();
      ++i;
      continue;
    }
    if (length == 2) {
      uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<uint8_t>(prompt[i + 1]) & 0x3Fu);
      if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 0x20;  // Latin-1 capitals
      if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7) {
        flush();  // Latin-1 punctuation and symbols, and the multiplication/division signs
      } else {
        AppendTwoByte(word, cp);
      }
    } else {
      word.append(prompt.substr(i, static_cast<size_t>(length)));
    }
    i += static_cast<size_t>(length);
  }
  flush();
  return words;
}

std::optional<Motif> LookUpMotif(std::string_view word, bool* plural) {
  if (plural != nullptr) *plural = false;
  if (const NounEntry* e = Find(kNouns, word)) {
    if (plural != nullptr) *plural = e->plural;
    return e->motif;
  }
  // Suffixes, longest first. `plural` says whether the suffix marks more than one.
  struct Suffix {
    std::string_view strip, add;
    bool plural;
  };
  static constexpr Suffix kSuffixes[] = {
      {"ies", "y", true}, {"ves", "f", true}, {"erne", "", true}, {"ene", "", true},
      {"ene", "e", true}, {"ane", "", true},  {"es", "", true},   {"er", "", true},
      {"er", "e", true},  {"ar", "", true},   {"ne", "", true},   {"en", "", false},
      {"et", "", false},  {"et", "e", false}, {"a", "", false},   {"s", "", true},
      {"n", "", false},
  };
  for (const Suffix& s : kSuffixes) {
    if (!EndsWith(word, s.strip)) continue;
    std::string stem(word.substr(0, word.size() - s.strip.size()));
    stem += s.add;
    if (stem.size() < 3) continue;
    if (const NounEntry* e = Find(kNouns, stem)) {
      if (plural != nullptr) *plural = s.plural || e->plural;
      return e->motif;
    }
  }
  return std::nullopt;
}

SceneWords ReadPrompt(std::string_view prompt) {
  SceneWords scene;
  const std::vector<std::string> words = Tokenize(prompt);
  bool english = false;
  for (const std::string& w : words) {
    english = english ||
              std::find(std::begin(kEnglishFunctionWords), std::end(kEnglishFunctionWords), w) !=
                  std::end(kEnglishFunctionWords);
  }
  std::optional<Rgb> pending_colour;
  int last_motif = -1;
  auto add_motif = [&](Motif m, bool plural, bool egyptian) {
    auto it = std::find_if(scene.motifs.begin(), scene.motifs.end(),
                           [m](const MotifWish& w) { return w.motif == m; });
    if (it == scene.motifs.end()) {
      scene.motifs.push_back({m, 1, std::nullopt, false});
      it = scene.motifs.end() - 1;
    }
    if (plural) it->count = std::max(it->count, 3);
    it->egyptian = it->egyptian || egyptian;
    if (pending_colour) it->colour = pending_colour;
    pending_colour.reset();
    last_motif = static_cast<int>(it - scene.motifs.begin());
  };
  for (const std::string& w : words) {
    if (const ColourEntry* c = Find(kColours, w)) {
      pending_colour = c->colour;
      continue;
    }
    if (const SceneEntry* s = Find(kScenes, w)) {
      scene.backdrop = s->backdrop;
      continue;
    }
    if (w == "men" && !english) continue;  // Norwegian "but"
    if (w == "by" && !english) {
      scene.backdrop = Backdrop::kCity;
      continue;
    }
    if (w == "magical" || w == "magic" || w == "magisk" || w == "magiske" || w == "fairy" ||
        w == "eventyr") {
      scene.magical = true;
      continue;
    }
    if (w == "birthday" || w == "bursdag" || w == "bursdagsfest" || w == "party" || w == "fest" ||
        w == "selskap") {
      add_motif(Motif::kCake, false, false);
      add_motif(Motif::kBalloon, true, false);
      continue;
    }
    bool plural = false;
    if (std::optional<Motif> m = LookUpMotif(w, &plural)) {
      const bool egyptian =
          w.rfind("egypt", 0) == 0 || w.rfind("farao", 0) == 0 || w.rfind("pharaoh", 0) == 0;
      add_motif(*m, plural, egyptian);
    }
  }
  // A colour word after every noun ("a cat that is red") tints the last motif named.
  if (pending_colour && last_motif >= 0) {
    scene.motifs[static_cast<size_t>(last_motif)].colour = pending_colour;
  }
  return scene;
}

}  // namespace pictor::image
