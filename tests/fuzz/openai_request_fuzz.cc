// ParseOpenAiImageRequest, the parser of POST /v1/images/generations bodies. The first byte picks
// the limits and the default size; the rest is the body. Invariants: a refusal is InvalidArgument
// naming at most one field; what is accepted asks for 1..10 images and passes ValidateRequest.
#include "fuzz_check.h"
#include "http/openai_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t mode = in.Byte();
  pictor::RequestLimits limits;
  if (mode & 1) limits.max_prompt_chars = 16;  // reach the length checks with short inputs
  pictor::RequestDefaults defaults;
  if (mode & 2) defaults = {1024, 1024};
  const std::string_view body = in.Rest();

  std::string param = "not cleared";
  auto parsed = pictor::http::ParseOpenAiImageRequest(body, defaults, limits, &param);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == pictor::StatusCode::kInvalidArgument);
    FUZZ_CHECK(param != "not cleared");
    FUZZ_CHECK(param.size() <= body.size());
    return 0;
  }
  FUZZ_CHECK(param.empty());
  FUZZ_CHECK(parsed->n >= 1 && parsed->n <= pictor::http::kMaxImagesPerRequest);
  FUZZ_CHECK(pictor::ValidateRequest(parsed->request, limits).ok());
  FUZZ_CHECK(parsed->model.size() <= 256);
  return 0;
}
