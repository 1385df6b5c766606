// `pictor generate PROMPT [-o FILE] [--seed N] [--size WxH] [--model SPEC]`: one image, no
// server, written to a file whose path is printed.
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/output_file.h"
#include "app/settings.h"
#include "core/ids.h"
#include "core/utf8.h"

namespace pictor::app {
namespace {

struct GenerateOptions {
  CommonSettings common;
  std::string prompt;
  std::string output;
  int64_t seed = -1;
  std::string size = "1024x1024";
  std::string negative_prompt;
};

int RunGenerate(GenerateOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  GenerationRequest request;
  request.prompt = std::string(TrimWhitespace(o.prompt));
  request.negative_prompt = std::string(TrimWhitespace(o.negative_prompt));
  if (Status s = ParseSize(o.size, &request.width, &request.height); !s.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  request.seed =
      o.seed >= 0 ? static_cast<uint32_t>(o.seed) : static_cast<uint32_t>(RandomUpTo(kMaxSeed));
  if (Status s = ValidateRequest(request, PipelineOptionsFrom(o.common).limits); !s.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  std::string path = o.output;  // without -o, the default name needs the model, known below
  // Refused before the model is paid for; checked again when the file is written.
  if (!path.empty()) {
    if (Status s = CheckReplaceable(path); !s.ok()) {
      std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
      return s.code() == StatusCode::kFailedPrecondition ? kExitUsage : kExitFailure;
    }
  }
  auto rt = BuildRuntime(o.common, kModelPart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", rt.status().message().c_str());
    return kExitUsage;
  }
  ImageModel& model = *(*rt)->model;
  if (Status s = model.Check(request); !s.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto image = model.Generate(request);
  if (!image.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", image.status().ToString().c_str());
    return kExitFailure;
  }
  if (path.empty()) path = model.Name() + "_" + std::to_string(request.seed) + ".png";
  if (Status s = WriteFileAtomically(path, image->png); !s.ok()) {
    std::fprintf(stderr, "pictor generate: %s\n", s.message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", path.c_str());
  std::fprintf(stderr, "seed %u, %dx%d, model %s\n", request.seed, request.width, request.height,
               model.Name().c_str());
  return kExitOk;
}

}  // namespace

Subcommand AddGenerateCommand(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate one image into a file (no server)");
  cmd->add_option("prompt", o->prompt, "What to draw")->required();
  cmd->add_option("-o,--output", o->output, "PNG file to write (default MODEL_SEED.png)");
  cmd->add_option("--seed", o->seed, "Seed, 0-2147483646 (default random)")
      ->transform(IntegerIn(int64_t{0}, int64_t{kMaxSeed}));
  cmd->add_option("--size", o->size, "WIDTHxHEIGHT (default 1024x1024)");
  cmd->add_option("--negative-prompt", o->negative_prompt, "What to avoid");
  AddCommonOptions(*cmd, o->common, kModelPart);
  return {cmd, [o] { return RunGenerate(*o); }};
}

}  // namespace pictor::app
