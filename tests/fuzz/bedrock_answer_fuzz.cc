// Bedrock InvokeModel answers (src/model/bedrock): each family's answer reader on the JSON, and
// a whole Generate against a peer that sends the input as its reply (error replies included,
// through the AWS error translation). The first byte picks the family; FakePeer::Load reads the
// rest (status, one header, body).
// Invariants: an image returned is a PNG of the size asked; a reply other than 2xx never gives
// an image; no Status carries the secret access key; a reader's failure is Internal or the
// content filter's InvalidArgument.
#include <memory>
#include <nlohmann/json.hpp>

#include "aws/credentials.h"
#include "fake_peer.h"
#include "fuzz_check.h"
#include "image/png_answer.h"
#include "model/bedrock/bedrock_families.h"
#include "model/bedrock/bedrock_model.h"

namespace {

using pictor::fuzz::kSecretAccessKey;

struct Model {
  std::unique_ptr<pictor::ImageModel> model;
  pictor::GenerationRequest request;
};

pictor::fuzz::FakePeer& Peer() {
  static pictor::fuzz::FakePeer peer;
  return peer;
}

pictor::aws::CredentialsProvider& Credentials() {
  static pictor::aws::CredentialsProvider provider([] {
    return pictor::Result<pictor::aws::TimedCredentials>(pictor::aws::TimedCredentials{
        {"AKIAFUZZFUZZFUZZFUZZ", std::string(kSecretAccessKey), ""}, std::nullopt, "explicit"});
  });
  return provider;
}

// One model per known id, opened once: a request the family accepts, against the fake peer.
const std::vector<Model>& Models() {
  static const std::vector<Model> models = [] {
    std::vector<Model> out;
    for (std::string_view id : pictor::KnownBedrockModels()) {
      pictor::BedrockModelOptions options;
      options.region = "us-east-1";
      options.endpoint = "http://127.0.0.1:9";
      options.style = "PHOTOREALISM";
      options.retry = pictor::fuzz::NoRetries();
      options.http = &Peer();
      options.credentials = &Credentials();
      auto opened = pictor::OpenBedrockModel(id, options);
      FUZZ_CHECK(opened.ok());
      Model m{std::move(opened).value(), {}};
      m.request.prompt = "a lighthouse at dusk";
      for (int side : {1024, 512, 1536, 2048, 768}) {
        m.request.width = m.request.height = side;
        if (m.model->Check(m.request).ok()) break;
      }
      FUZZ_CHECK(m.model->Check(m.request).ok());
      out.push_back(std::move(m));
    }
    return out;
  }();
  return models;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t pick = in.Byte();
  const Model& m = Models()[pick % Models().size()];
  Peer().Load(in);

  // The family's reader alone, on whatever JSON the body holds.
  const pictor::model::BedrockFamily* family =
      pictor::model::FindBedrockFamily(pictor::KnownBedrockModels()[pick % Models().size()]);
  FUZZ_CHECK(family != nullptr);
  const nlohmann::json answer = nlohmann::json::parse(Peer().reply().body, nullptr, false);
  if (!answer.is_discarded()) {
    pictor::Result<std::string> image = family->read_image(answer);
    if (!image.ok()) {
      FUZZ_CHECK(image.status().code() == pictor::StatusCode::kInternal ||
                 image.status().reason() == "content_filtered");
    }
  }

  pictor::Result<pictor::GeneratedImage> generated = m.model->Generate(m.request);
  if (generated.ok()) {
    FUZZ_CHECK(Peer().reply().status >= 200 && Peer().reply().status < 300);
    std::optional<pictor::image::PngSize> png = pictor::image::ReadPngSize(generated->png);
    FUZZ_CHECK(png && png->width == m.request.width && png->height == m.request.height);
  } else {
    FUZZ_CHECK(generated.status().message().find(kSecretAccessKey) == std::string::npos);
  }
  return 0;
}
