// `pictor send PROMPT [--queue SPEC]`: enqueue one prompt and print its message id. Exit 0 only
// when the queue accepted it. Replaces the original system's Java client: the prompt is the
// one argument, the queue comes from --queue or SQS_QUEUE_URL.
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/settings.h"
#include "core/job_message.h"
#include "core/utf8.h"

namespace pictor::app {
namespace {

struct SendOptions {
  CommonSettings common;
  std::string prompt;
  int64_t seed = -1;
  std::string size;
};

int RunSend(SendOptions& o) {
  ApplyEnvironment(o.common);
  if (Status s = ConfigureLogging(o.common.log_level); !s.ok()) {
    std::fprintf(stderr, "pictor send: %s\n", s.message().c_str());
    return kExitUsage;
  }
  const RequestLimits limits = PipelineOptionsFrom(o.common).limits;
  if (Status s = ValidatePromptText(o.prompt, limits, "prompt", false); !s.ok()) {
    std::fprintf(stderr, "pictor send: %s\n", s.message().c_str());
    return kExitUsage;
  }
  // A bare prompt goes as plain text, exactly as `aws sqs send-message --message-body` sends
  // it; a seed or size makes it a JSON job (core/job_message.h).
  JobMessage job;
  job.prompt = std::string(TrimWhitespace(o.prompt));
  if (o.seed >= 0) job.seed = static_cast<uint32_t>(o.seed);
  if (!o.size.empty()) {
    int w = 0, h = 0;
    if (Status s = ParseSize(o.size, &w, &h); !s.ok()) {
      std::fprintf(stderr, "pictor send: %s\n", s.message().c_str());
      return kExitUsage;
    }
    job.width = w;
    job.height = h;
  }
  const std::string body = EncodeJobMessage(job);
  // Read back as a worker will, with its limits: a job no worker would take is not queued.
  if (auto spec = ParseQueueMessageBody(body, RequestDefaults{}, limits); !spec.ok()) {
    std::fprintf(stderr, "pictor send: %s\n", spec.status().message().c_str());
    return kExitUsage;
  }
  auto rt = BuildRuntime(o.common, kQueuePart);
  if (!rt.ok()) {
    std::fprintf(stderr, "pictor send: %s\n", rt.status().message().c_str());
    return rt.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
  }
  auto sent = (*rt)->queue->Send(OutgoingMessage{body, std::chrono::seconds(0)});
  if (!sent.ok()) {
    std::fprintf(stderr, "pictor send: the queue did not accept the prompt: %s\n",
                 sent.status().ToString().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", sent->message_id.c_str());
  return kExitOk;
}

}  // namespace

Subcommand AddSendCommand(CLI::App& app) {
  auto o = std::make_shared<SendOptions>();
  CLI::App* cmd = app.add_subcommand("send", "Put one prompt on the queue; prints its message id");
  cmd->add_option("prompt", o->prompt, "The prompt")->required();
  cmd->add_option("--seed", o->seed, "Seed, 0-2147483646 (default derived from the message id)")
      ->transform(IntegerIn(int64_t{0}, int64_t{kMaxSeed}));
  cmd->add_option("--size", o->size,
                  "WIDTHxHEIGHT (default " + std::to_string(kDefaultImageWidth) + "x" +
                      std::to_string(kDefaultImageHeight) + ")");
  AddCommonOptions(*cmd, o->common, kQueuePart);
  return {cmd, [o] { return RunSend(*o); }};
}

}  // namespace pictor::app
