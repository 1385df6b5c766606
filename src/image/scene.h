// RenderScene: the builtin model's picture of a prompt.
#ifndef PICTOR_IMAGE_SCENE_H_
#define PICTOR_IMAGE_SCENE_H_

#include <cstdint>
#include <string_view>

#include "image/canvas.h"
#include "image/lexicon.h"

namespace pictor::image {

// Draws a backdrop chosen by the prompt's scene words (or implied by its nouns) and one vector
// motif per recognised noun, laid out by `seed`. The same (prompt, seed, width, height) always
// gives the same pixels. Sizes are clamped to 1..4096 per side; any byte string is accepted.
//
// Thread-safety: a pure function; safe to call concurrently.
Canvas RenderScene(std::string_view prompt, uint32_t seed, int width, int height);

// The backdrop a prompt gets: its scene word, else one implied by its motifs, else day.
Backdrop ChooseBackdrop(const SceneWords& words);

}  // namespace pictor::image

#endif  // PICTOR_IMAGE_SCENE_H_
