// bench_throttle: N callers (64 by default) call the Bedrock adapter as fast as they can against
// a fake model that enforces a token-bucket quota, in one retry mode, and print one JSON line:
// goodput as a fraction of the quota and the fraction of model calls the quota refused, both
// counted over a window after a warm-up. run.sh runs it for both modes and reports medians.
//
//   bench_throttle --url http://127.0.0.1:PORT --mode adaptive|standard --quota 20 --burst 5
//                  [--callers 64] [--warmup 5] [--seconds 20]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aws/credentials.h"
#include "aws/retry_mode.h"
#include "model/bedrock/bedrock_model.h"
#include "net/adaptive_rate.h"
#include "net/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Args {
  std::string url;
  std::string mode = "adaptive";
  double quota = 20;
  double burst = 5;
  int callers = 64;
  double warmup = 5;
  double seconds = 20;
};

bool Parse(int argc, char** argv, Args* args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--url") {
      args->url = value;
    } else if (name == "--mode") {
      args->mode = value;
    } else if (name == "--quota") {
      args->quota = std::atof(value);
    } else if (name == "--burst") {
      args->burst = std::atof(value);
    } else if (name == "--callers") {
      args->callers = std::atoi(value);
    } else if (name == "--warmup") {
      args->warmup = std::atof(value);
    } else if (name == "--seconds") {
      args->seconds = std::atof(value);
    } else {
      return false;
    }
  }
  return !args->url.empty() && (args->mode == "adaptive" || args->mode == "standard") &&
         args->quota > 0 && args->callers > 0 && args->seconds > 0;
}

// The fake's counters: {"calls", "throttled"}.
json Counters(pictor::net::HttpClient& http, const std::string& url) {
  auto reply = http.Perform({.method = "GET", .url = url + "/_calls"});
  if (!reply.ok() || reply->status != 200) return json{{"calls", -1}, {"throttled", -1}};
  return json::parse(reply->body, nullptr, false);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: bench_throttle --url URL --mode adaptive|standard [--quota R] "
                 "[--burst B] [--callers N] [--warmup S] [--seconds S]\n");
    return 2;
  }
  auto http = pictor::net::NewHttpClient();
  pictor::aws::CredentialsProvider credentials([] {
    return pictor::Result<pictor::aws::TimedCredentials>(
        pictor::aws::TimedCredentials{{"test", "test", ""}, std::nullopt, "bench"});
  });
  auto set = http->Perform({.method = "POST",
                            .url = args.url + "/_quota",
                            .body = json{{"rate", args.quota}, {"burst", args.burst}}.dump()});
  if (!set.ok() || set->status != 200) {
    std::fprintf(stderr, "bench_throttle: cannot set the fake's quota\n");
    return 1;
  }

  pictor::BedrockModelOptions options;
  options.endpoint = args.url;
  options.region = "us-east-1";
  options.http = http.get();
  options.credentials = &credentials;
  if (args.mode == "adaptive") {
    options.retry_mode = pictor::aws::RetryMode::kAdaptive;
    options.retry.limiter = std::make_shared<pictor::net::AdaptiveRateLimiter>();
    // The callers still waiting when the run ends return within this.
    options.retry.max_rate_wait = std::chrono::seconds(10);
  } else {
    options.retry_mode = pictor::aws::RetryMode::kStandard;
  }
  auto model = pictor::OpenBedrockModel("amazon.titan-image-generator-v1", options);
  if (!model.ok()) {
    std::fprintf(stderr, "bench_throttle: %s\n", model.status().ToString().c_str());
    return 1;
  }

  const auto start = Clock::now();
  const auto window_start = start + std::chrono::duration<double>(args.warmup);
  const auto window_end = window_start + std::chrono::duration<double>(args.seconds);
  std::atomic<long> images_in_window{0};
  std::atomic<long> failed_in_window{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < args.callers; ++i) {
    callers.emplace_back([&, i] {
      for (uint32_t n = 0; Clock::now() < window_end; ++n) {
        auto image = (*model)->Generate({.prompt = "a lighthouse in a storm",
                                         .negative_prompt = "",
                                         .seed = static_cast<uint32_t>(i) * 100000 + n,
                                         .width = 512,
                                         .height = 512});
        const auto done = Clock::now();
        if (done < window_start || done >= window_end) continue;
        ++(image.ok() ? images_in_window : failed_in_window);
      }
    });
  }
  std::this_thread::sleep_until(window_start);
  const json before = Counters(*http, args.url);
  std::this_thread::sleep_until(window_end);
  const json after = Counters(*http, args.url);
  for (std::thread& caller : callers) caller.join();

  const long calls = after.value("calls", 0L) - before.value("calls", 0L);
  const long throttled = after.value("throttled", 0L) - before.value("throttled", 0L);
  const double goodput = static_cast<double>(images_in_window) / args.seconds;
  json out = {{"mode", args.mode},
              {"callers", args.callers},
              {"quota_per_s", args.quota},
              {"burst", args.burst},
              {"seconds", args.seconds},
              {"images", images_in_window.load()},
              {"goodput_per_s", goodput},
              {"goodput_of_quota", goodput / args.quota},
              {"model_calls", calls},
              {"throttled_calls", throttled},
              {"throttled_fraction", calls > 0 ? static_cast<double>(throttled) / calls : 0.0},
              {"failed_generations", failed_in_window.load()},
              {"warmup_throttled", before.value("throttled", 0L)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
