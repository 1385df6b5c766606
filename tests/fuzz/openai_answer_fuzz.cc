// OpenAI-compatible image answers (src/model/openai): a whole Generate against a peer that sends
// the input as its reply; error replies go through the adapter's own error translation. The
// first byte picks the size asked; FakePeer::Load reads the rest (status, one header, body).
// Invariants: an image returned is a PNG of the size asked and came with a 2xx; no Status
// carries the API key, in its message or its peer's code, even when the server quotes it back;
// an error reply's Status carries its HTTP status; a 2xx answer without a usable image is
// Internal.
#include <memory>

#include "fake_peer.h"
#include "fuzz_check.h"
#include "image/png_answer.h"
#include "model/openai/openai_model.h"

namespace {

using pictor::fuzz::kApiKey;

pictor::fuzz::FakePeer& Peer() {
  static pictor::fuzz::FakePeer peer;
  return peer;
}

pictor::ImageModel& Model() {
  static const std::unique_ptr<pictor::ImageModel> model = [] {
    pictor::OpenAiModelOptions options;
    options.model = "dall-e-3";
    options.api_key = std::string(kApiKey);
    options.retry = pictor::fuzz::NoRetries();
    options.http = &Peer();
    auto opened = pictor::OpenOpenAiModel("http://127.0.0.1:9", options);
    FUZZ_CHECK(opened.ok());
    return std::move(opened).value();
  }();
  return *model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  static constexpr int kSides[] = {1024, 512, 64, 2048};
  pictor::GenerationRequest request;
  request.prompt = "a lighthouse at dusk";
  request.width = request.height = kSides[in.Byte() % 4];
  Peer().Load(in);

  pictor::Result<pictor::GeneratedImage> generated = Model().Generate(request);
  const long status = Peer().reply().status;
  if (generated.ok()) {
    FUZZ_CHECK(status >= 200 && status < 300);
    std::optional<pictor::image::PngSize> png = pictor::image::ReadPngSize(generated->png);
    FUZZ_CHECK(png && png->width == request.width && png->height == request.height);
    return 0;
  }
  FUZZ_CHECK(generated.status().message().find(kApiKey) == std::string::npos);
  FUZZ_CHECK(generated.status().peer_code().find(kApiKey) == std::string::npos);
  if (status >= 200 && status < 300) {
    FUZZ_CHECK(generated.status().code() == pictor::StatusCode::kInternal);
  } else {
    FUZZ_CHECK(generated.status().peer_http_status() == status);
  }
  return 0;
}
