// What the server takes from a service's route table: where each request runs (may_block), and
// the route label its log lines name instead of the client's path.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>

#include "http/server.h"
#include "test_client.h"

namespace pictor::http {
namespace {

using testing::GetRequest;
using testing::TestConnection;
using namespace std::chrono_literals;

// GET /wait holds its thread until GET /open has been answered (or `patience` passes); whether
// it holds the event loop or a pool thread is up to the table's may_block for it. Thread-safe.
class GateService : public HttpService {
 public:
  GateService(bool wait_may_block, std::chrono::milliseconds patience)
      : patience_(patience),
        routes_(
            {{"GET", "/wait", [this](const HttpRequest&, const PathParams&) { return Wait(); },
              wait_may_block},
             {"GET", "/open", [this](const HttpRequest&, const PathParams&) { return Open(); }}}) {}

  HttpResponse Handle(const HttpRequest& request) override {
    return routes_.Dispatch(request).response;
  }
  const RouteTable& routes() const override { return routes_; }

  // Waits until a GET /wait is inside its handler, up to `timeout`.
  bool AwaitWaiting(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_; });
  }

 private:
  HttpResponse Wait() {
    std::unique_lock lock(mutex_);
    waiting_ = true;
    changed_.notify_all();
    bool opened = changed_.wait_for(lock, patience_, [this] { return open_; });
    return HttpResponse{200, {}, opened ? "opened" : "timed out"};
  }
  HttpResponse Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
    return HttpResponse{200, {}, "open"};
  }

  std::mutex mutex_;  // guards waiting_ and open_
  std::condition_variable changed_;
  bool waiting_ = false;
  bool open_ = false;
  const std::chrono::milliseconds patience_;
  const RouteTable routes_;
};

// With a single event-loop thread, /wait can only see /open answered if the table's may_block
// sent it to the blocking pool: on the loop it would hold the only thread that could answer.
TEST(ServerRoutesTest, ARouteTheTableMarksBlockingRunsOnThePoolWhileTheLoopAnswersAnother) {
  GateService service(/*wait_may_block=*/true, /*patience=*/10s);
  ServerOptions options;
  options.io_threads = 1;
  auto server = HttpServer::Start(options, service);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  TestConnection waiter((*server)->port());
  ASSERT_TRUE(waiter.Send(GetRequest("/wait")));
  ASSERT_TRUE(service.AwaitWaiting(5s));
  TestConnection opener((*server)->port());
  auto opened = opener.RoundTrip(GetRequest("/open"));
  ASSERT_TRUE(opened) << "the event loop was held by the blocking route";
  EXPECT_EQ(opened->body, "open");
  auto waited = waiter.Read();
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->body, "opened");
}

// The other side: a route the table does not mark runs on the event loop itself, so the one
// loop thread is busy with it until it returns.
TEST(ServerRoutesTest, ARouteTheTableDoesNotMarkRunsOnTheEventLoop) {
  GateService service(/*wait_may_block=*/false, /*patience=*/500ms);
  ServerOptions options;
  options.io_threads = 1;
  auto server = HttpServer::Start(options, service);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  TestConnection waiter((*server)->port());
  ASSERT_TRUE(waiter.Send(GetRequest("/wait")));
  ASSERT_TRUE(service.AwaitWaiting(5s));
  TestConnection opener((*server)->port());
  ASSERT_TRUE(opener.Send(GetRequest("/open")));
  // /wait gives up after its patience; only then can the loop read /open.
  auto waited = waiter.Read(false, 20s);
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->body, "timed out");
  auto opened = opener.Read(false, 20s);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->body, "open");
}

// Routes the server's log lines to a string for one test, and back to the previous logger after.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string Text() {
    spdlog::default_logger()->flush();  // takes the sink's lock: every line written is seen
    return stream_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

// A handler's exception reaches the process's logger (so Lambda's JSON logs keep it), naming
// the route by its label: the client's path, with whatever it decoded to, stays out of the log.
TEST(ServerRoutesTest, AThrowingHandlerIsLoggedThroughTheLoggerByItsRouteLabel) {
  CapturedLog log;
  class ThrowingService : public HttpService {
   public:
    HttpResponse Handle(const HttpRequest& request) override {
      return routes_.Dispatch(request).response;
    }
    const RouteTable& routes() const override { return routes_; }

   private:
    const RouteTable routes_{
        {{"GET", "/things/{name}", [](const HttpRequest&, const PathParams&) -> HttpResponse {
            throw std::runtime_error("handler failure");
          }}}};
  } service;
  auto server = HttpServer::Start({}, service);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  TestConnection client((*server)->port());
  auto response = client.RoundTrip(GetRequest("/things/line%0Abreak"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  std::string text = log.Text();
  EXPECT_NE(text.find("handler threw on GET /things/{name}: handler failure"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("line"), std::string::npos) << text;
}

}  // namespace
}  // namespace pictor::http
