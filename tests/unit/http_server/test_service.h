// The HttpService the server tests run against: a few routes, each exercising one server
// behaviour, and counters to observe what reached the service.
#ifndef PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_
#define PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "http/server.h"

namespace pictor::http::testing {

// Routes (a route table, as every service has):
//   GET/POST /echo      200, body "method|path|query|X-Test header|body"
//   GET /slow           sleeps 2 s (may block), 200 "slow"
//   GET /fast           200 "fast"
//   GET /throw          throws
//   GET /custom-server  sets its own Server header
//   anything else       404 "not found" (405 for another method on a route's path)
// Thread-safe.
class TestService : public HttpService {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    ++calls;
    HttpResponse response = routes_.Dispatch(request).response;
    response.headers.Add("Content-Type", "text/plain");
    return response;
  }

  const RouteTable& routes() const override { return routes_; }

  // Waits until `count` /slow requests are inside Handle at once, up to `timeout`.
  bool AwaitSlowInProgress(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(slow_mutex_);
    return slow_started_.wait_for(lock, timeout, [&] { return slow_in_progress_ >= count; });
  }

  std::atomic<int> calls{0};

 private:
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
