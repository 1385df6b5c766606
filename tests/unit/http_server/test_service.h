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

#include "http/server.h"

namespace pictor::http::testing {

// Routes:
//   /echo           200, body "method|path|query|X-Test header|body"
//   /slow           sleeps 2 s (MayBlock), 200 "slow"
//   /fast           200 "fast"
//   /throw          throws
//   /custom-server  sets its own Server header
//   anything else   404
// Thread-safe.
class TestService : public HttpService {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    ++calls;
    HttpResponse response;
    if (request.path == "/echo") {
      response.body = request.method + "|" + request.path + "|" + request.query + "|" +
                      std::string(request.headers.Get("X-Test").value_or("")) + "|" + request.body;
    } else if (request.path == "/slow") {
      {
        std::lock_guard lock(slow_mutex_);
        ++slow_in_progress_;
      }
      slow_started_.notify_all();
      std::this_thread::sleep_for(std::chrono::seconds(2));
      response.body = "slow";
    } else if (request.path == "/fast") {
      response.body = "fast";
    } else if (request.path == "/throw") {
      throw std::runtime_error("handler failure");
    } else if (request.path == "/custom-server") {
      response.headers.Add("Server", "custom");
      response.body = "custom";
    } else {
      response.status = 404;
      response.body = "not found";
    }
    response.headers.Add("Content-Type", "text/plain");
    return response;
  }

  bool MayBlock(const HttpRequest& request) const override { return request.path == "/slow"; }

  // Waits until `count` /slow requests are inside Handle at once, up to `timeout`.
  bool AwaitSlowInProgress(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(slow_mutex_);
    return slow_started_.wait_for(lock, timeout, [&] { return slow_in_progress_ >= count; });
  }

  std::atomic<int> calls{0};

 private:
  std::mutex slow_mutex_;  // guards slow_in_progress_
  std::condition_variable slow_started_;
  int slow_in_progress_ = 0;
};

}  // namespace pictor::http::testing

#endif  // PICTOR_TESTS_UNIT_HTTP_SERVER_TEST_SERVICE_H_
