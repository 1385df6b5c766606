// bench_serial_consumer: the original Lambda's way of working through a queue, one record after
// another (receive one message, generate, store, delete, then the next), over Pictor's own
// adapters and job step. bench/aws/run.sh sets it beside `pictor worker --concurrency 64` on the
// same model endpoint to show what concurrency buys.
//
// Usage: bench_serial_consumer --model SPEC --store SPEC --queue SPEC --jobs N
// Prints "serial: N images in S s, R images/s" and exits 0 when all N jobs were stored.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/registry.h"
#include "core/pipeline.h"

namespace {

struct Flags {
  std::string model = "builtin";
  std::string store;
  std::string queue;
  int jobs = 0;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--model") {
      flags->model = value;
    } else if (name == "--store") {
      flags->store = value;
    } else if (name == "--queue") {
      flags->queue = value;
    } else if (name == "--jobs") {
      flags->jobs = std::atoi(value.c_str());
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !flags->store.empty() && !flags->queue.empty() && flags->jobs > 0;
}

int Fail(const char* what, const pictor::Status& status) {
  std::fprintf(stderr, "bench_serial_consumer: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr,
                 "usage: bench_serial_consumer --model SPEC --store SPEC --queue SPEC --jobs N\n");
    return 2;
  }
  auto model_spec = pictor::app::ParseModelSpec(flags.model);
  if (!model_spec.ok()) return Fail("model", model_spec.status());
  auto store_spec = pictor::app::ParseStoreSpec(flags.store);
  if (!store_spec.ok()) return Fail("store", store_spec.status());
  auto queue_spec = pictor::app::ParseQueueSpec(flags.queue);
  if (!queue_spec.ok()) return Fail("queue", queue_spec.status());
  auto model = pictor::app::MakeModel(*model_spec);
  if (!model.ok()) return Fail("model", model.status());
  auto store = pictor::app::MakeStore(*store_spec);
  if (!store.ok()) return Fail("store", store.status());
  auto queue = pictor::app::MakeQueue(*queue_spec, pictor::app::QueueSettings{});
  if (!queue.ok()) return Fail("queue", queue.status());
  pictor::Pipeline pipeline(**model, **store);

  int stored = 0;
  int failed = 0;
  auto start = std::chrono::steady_clock::now();
  while (stored + failed < flags.jobs) {
    pictor::ReceiveOptions options;
    options.max_messages = 1;
    options.visibility_timeout = std::chrono::seconds(60);
    options.wait = std::chrono::seconds(1);
    auto received = (*queue)->Receive(options);
    if (!received.ok()) return Fail("receive", received.status());
    if (received->empty()) break;  // nothing left
    const pictor::ReceivedMessage& message = received->front();
    pictor::JobResult result = pictor::RunJob(pipeline, message, 5);
    if (result.outcome == pictor::JobOutcome::kSucceeded) {
      ++stored;
      if (pictor::Status s = (*queue)->Delete(message.receipt_handle); !s.ok()) {
        return Fail("delete", s);
      }
    } else {
      ++failed;
      std::fprintf(stderr, "bench_serial_consumer: job failed: %s\n",
                   result.error.ToString().c_str());
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("serial: %d images in %.3f s, %.3f images/s\n", stored, seconds,
              seconds > 0 ? stored / seconds : 0.0);
  return stored == flags.jobs ? 0 : 1;
}
