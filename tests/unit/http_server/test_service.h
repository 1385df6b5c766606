// The HttpService the server tests run against: a few routes, each exercising one server
// behaviour, and counters to observe what reached the service.
#ifndef PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_
#define PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/server.h"

namespace pictor::http::testing {

// A streaming body the test drives: Push writes to the open connection, End finishes it.
// Thread-safe.
class TestStream final : public ResponseStream {
 public:
  TestStream(std::vector<std::string> at_start, bool end_at_start,
             std::chrono::milliseconds keepalive_interval)
      : at_start_(std::move(at_start)),
        end_at_start_(end_at_start),
        keepalive_interval_(keepalive_interval) {}

  void Start(std::shared_ptr<ResponseSink> sink) override {
    std::lock_guard lock(mu_);
    started_ = true;
    for (auto& bytes : at_start_) sink->Write(bytes, false);
    if (end_at_start_) {
      sink->Write("", true);
      return;
    }
    sink_ = std::move(sink);
  }
  void Stop() override {
    std::lock_guard lock(mu_);
    stopped_ = true;
    sink_.reset();
  }
  std::string keepalive() const override { return ": keepalive\n\n"; }
  std::chrono::milliseconds keepalive_interval() const override { return keepalive_interval_; }

  // False when the stream is not (or no longer) connected.
  bool Push(std::string bytes, bool last = false) {
    std::lock_guard lock(mu_);
    if (!sink_) return false;
    sink_->Write(std::move(bytes), last);
    if (last) sink_.reset();
    return true;
  }
  bool started() const {
    std::lock_guard lock(mu_);
    return started_;
  }
  bool stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
  }

 private:
  mutable std::mutex mu_;  // guards everything below
  std::vector<std::string> at_start_;
  const bool end_at_start_;
  const std::chrono::milliseconds keepalive_interval_;
  std::shared_ptr<ResponseSink> sink_;
  bool started_ = false;
  bool stopped_ = false;
};

// Routes (a route table, as every service has):
//   GET/POST /echo      200, body "method|path|query|X-Test header|body"
//   GET /slow           sleeps 2 s (may block), 200 "slow"
//   GET /fast           200 "fast"
//   GET /throw          throws
//   GET /custom-server  sets its own Server header
//   GET /stream         a streaming body the test drives (streams()), keepalive every minute
//   GET /stream-ended   a streaming body of "one\n" and "two\n", ended at once
//   GET /stream-quiet   a streaming body with a keepalive every 100 ms
//   anything else       404 "not found" (405 for another method on a route's path)
// Thread-safe.
class TestService : public HttpService {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    ++calls;
    HttpResponse response = routes_.Dispatch(request).response;
    if (!response.headers.Get("Content-Type")) response.headers.Add("Content-Type", "text/plain");
    return response;
  }

  const RouteTable& routes() const override { return routes_; }

  // Waits until `count` /slow requests are inside Handle at once, up to `timeout`.
  bool AwaitSlowInProgress(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(slow_mutex_);
    return slow_started_.wait_for(lock, timeout, [&] { return slow_in_progress_ >= count; });
  }

  // Waits until `count` streams were opened and the server started (or stopped) each, up to
  // `timeout`.
  bool AwaitStreams(size_t count, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      size_t ready = 0;
      for (const auto& stream : streams()) ready += stream->started() || stream->stopped() ? 1 : 0;
      if (ready >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  std::vector<std::shared_ptr<TestStream>> streams() {
    std::lock_guard lock(streams_mutex_);
    return streams_;
  }

  std::atomic<int> calls{0};

 private:
  HttpResponse OpenStream(std::vector<std::string> at_start, bool end,
                          std::chrono::milliseconds keepalive) {
    auto stream = std::make_shared<TestStream>(std::move(at_start), end, keepalive);
    {
      std::lock_guard lock(streams_mutex_);
      streams_.push_back(stream);
    }
    HttpResponse response;
    response.headers.Add("Content-Type", "text/event-stream");
    response.stream = std::move(stream);
    return response;
  }

  static HttpResponse Text(std::string body) { return HttpResponse{200, {}, std::move(body)}; }

  static HttpResponse Echo(const HttpRequest& request, const PathParams&) {
    return Text(request.method + "|" + request.path + "|" + request.query + "|" +
                std::string(request.headers.Get("X-Test").value_or("")) + "|" + request.body);
  }

  HttpResponse Slow() {
    {
      std::lock_guard lock(slow_mutex_);
      ++slow_in_progress_;
    }
    slow_started_.notify_all();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    return Text("slow");
  }

  static Refusals PlainRefusals() {
    Refusals refusals;
    refusals.not_found = [](const HttpRequest&) { return HttpResponse{404, {}, "not found"}; };
    refusals.method_not_allowed = [](const HttpRequest&, std::string_view) {
      return HttpResponse{405, {}, "method not allowed"};
    };
    return refusals;
  }

  std::mutex streams_mutex_;  // guards streams_
  std::vector<std::shared_ptr<TestStream>> streams_;
  std::mutex slow_mutex_;  // guards slow_in_progress_
  std::condition_variable slow_started_;
  int slow_in_progress_ = 0;
  const RouteTable routes_{
      {
          {"GET", "/echo", Echo},
          {"POST", "/echo", Echo},
          {"GET", "/slow", [this](const HttpRequest&, const PathParams&) { return Slow(); }, true},
          {"GET", "/fast", [](const HttpRequest&, const PathParams&) { return Text("fast"); }},
          {"GET", "/throw",
           [](const HttpRequest&, const PathParams&) -> HttpResponse {
             throw std::runtime_error("handler failure");
           }},
          {"GET", "/stream",
           [this](const HttpRequest&, const PathParams&) {
             return OpenStream({}, false, std::chrono::minutes(1));
           }},
          {"GET", "/stream-ended",
           [this](const HttpRequest&, const PathParams&) {
             return OpenStream({"one\n", "two\n"}, true, std::chrono::minutes(1));
           }},
          {"GET", "/stream-quiet",
           [this](const HttpRequest&, const PathParams&) {
             return OpenStream({}, false, std::chrono::milliseconds(100));
           }},
          {"GET", "/custom-server",
           [](const HttpRequest&, const PathParams&) {
             HttpResponse response = Text("custom");
             response.headers.Add("Server", "custom");
             return response;
           }},
      },
      PlainRefusals()};
};

}  // namespace pictor::http::testing

#endif  // PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_
