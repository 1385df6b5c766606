// GET /jobs/{id}/events: the event format, Last-Event-ID, the hub (in-process changes, polling,
// one read per watched job, the stream bound) and the route's refusals.
#include "http/job_events.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_image_model.h"
#include "fakes/memory_ledger.h"
#include "fakes/memory_store.h"
#include "http/api.h"
#include "http/http_message.h"

namespace pictor::http {
namespace {

// The bytes a stream wrote, as the connection would get them. Thread-safe.
class RecordingSink final : public ResponseSink {
 public:
  void Write(std::string bytes, bool last) override {
    std::lock_guard lock(mu_);
    text_ += bytes;
    ended_ |= last;
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }
  bool ended() const {
    std::lock_guard lock(mu_);
    return ended_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
  bool ended_ = false;
};

JobRecord Job(std::string id, JobState state, int64_t updated_ms, int attempts = 0) {
  JobRecord record;
  record.id = std::move(id);
  record.state = state;
  record.created_ms = 1000;
  record.updated_ms = updated_ms;
  record.attempts = attempts;
  return record;
}

// Renders the state alone, so expectations stay short.
std::string StateOnly(const JobRecord& record) { return std::string(JobStateName(record.state)); }

TEST(ServerSentEventTest, HasIdEventAndData) {
  EXPECT_EQ(ServerSentEvent("running", 42, "{\"a\": 1}"),
            "id: 42\nevent: running\ndata: {\"a\": 1}\n\n");
}

TEST(ServerSentEventTest, EachLineOfDataIsAFieldOfItsOwn) {
  EXPECT_EQ(ServerSentEvent("failed", 7, "one\ntwo\r\nthree\rfour"),
            "id: 7\nevent: failed\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
  EXPECT_EQ(ServerSentEvent("queued", 1, ""), "id: 1\nevent: queued\ndata: \n\n");
}

TEST(JobEventIdTest, IsUpdatedTimeThenState) {
  EXPECT_EQ(JobEventId(Job("j", JobState::kQueued, 1234)), 12340);
  EXPECT_EQ(JobEventId(Job("j", JobState::kRunning, 1234)), 12341);
  EXPECT_EQ(JobEventId(Job("j", JobState::kCancelled, 1234)), 12344);
  EXPECT_LT(JobEventId(Job("j", JobState::kSucceeded, 1234)),
            JobEventId(Job("j", JobState::kQueued, 1235)));
}

TEST(LastEventIdTest, AcceptsTheIdsThisServerIssues) {
  EXPECT_EQ(ParseLastEventId("0"), 0);
  EXPECT_EQ(ParseLastEventId("17332345678901"), 17332345678901);
  EXPECT_EQ(ParseLastEventId("999999999999999999"), 999999999999999999);
}

TEST(LastEventIdTest, AnythingElseReadsAsAbsent) {
  for (std::string_view bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5",
                               "1000000000000000000", "99999999999999999999999"}) {
    EXPECT_FALSE(ParseLastEventId(bad)) << bad;
  }
}

class JobEventHubTest : public ::testing::Test {
 protected:
  JobEventHubTest() : hub_(ledger_, Options(), &metrics_) {}

  static JobEventOptions Options() {
    JobEventOptions options;
    options.poll_interval = std::chrono::milliseconds(0);  // the tests poll
    options.max_streams = 3;
    return options;
  }

  std::shared_ptr<ResponseStream> Open(const JobRecord& current,
                                       std::optional<int64_t> last = std::nullopt) {
    auto stream = hub_.Subscribe(current, last, StateOnly);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    return stream.ok() ? *stream : nullptr;
  }

  double LedgerReads() {
    return metrics_.GetCounter("pictor_event_stream_ledger_reads_total", "").Value();
  }

  pictor::testing::MemoryLedger ledger_;
  MetricsRegistry metrics_;
  JobEventHub hub_;
};

TEST_F(JobEventHubTest, StreamStartsWithTheCurrentStateThenFollowsTheJobToItsEnd) {
  auto stream = Open(Job("a", JobState::kQueued, 100));
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(), "id: 1000\nevent: queued\ndata: queued\n\n");
  hub_.JobChanged(Job("a", JobState::kRunning, 150, 1));
  hub_.JobChanged(Job("a", JobState::kSucceeded, 300, 1));
  EXPECT_EQ(sink->text(),
            "id: 1000\nevent: queued\ndata: queued\n\n"
            "id: 1501\nevent: running\ndata: running\n\n"
            "id: 3002\nevent: succeeded\ndata: succeeded\n\n");
  EXPECT_TRUE(sink->ended());
  EXPECT_EQ(hub_.open_streams(), 0u);
  EXPECT_EQ(hub_.watched_jobs(), 0u);
}

TEST_F(JobEventHubTest, EventsBeforeStartAreKeptForIt) {
  auto stream = Open(Job("a", JobState::kQueued, 100));
  hub_.JobChanged(Job("a", JobState::kFailed, 200, 3));
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(),
            "id: 1000\nevent: queued\ndata: queued\n\n"
            "id: 2003\nevent: failed\ndata: failed\n\n");
  EXPECT_TRUE(sink->ended());
}

TEST_F(JobEventHubTest, SameStateTwiceIsOneEvent) {
  auto stream = Open(Job("a", JobState::kRunning, 100, 1));
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  hub_.JobChanged(Job("a", JobState::kRunning, 100, 1));
  hub_.JobChanged(Job("a", JobState::kRunning, 120, 1));
  EXPECT_EQ(sink->text(), "id: 1001\nevent: running\ndata: running\n\n");
}

TEST_F(JobEventHubTest, ARetryIsQueuedThenRunningAgain) {
  auto stream = Open(Job("a", JobState::kRunning, 100, 1));
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  hub_.JobChanged(Job("a", JobState::kQueued, 200, 1));
  hub_.JobChanged(Job("a", JobState::kRunning, 300, 2));
  EXPECT_EQ(sink->text(),
            "id: 1001\nevent: running\ndata: running\n\n"
            "id: 2000\nevent: queued\ndata: queued\n\n"
            "id: 3001\nevent: running\ndata: running\n\n");
}

TEST_F(JobEventHubTest, LastEventIdCoveringTheCurrentStateSendsOnlyWhatFollows) {
  auto stream = Open(Job("a", JobState::kRunning, 150, 1), 1501);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(), "");
  hub_.JobChanged(Job("a", JobState::kRunning, 150, 1));  // the one the client has
  EXPECT_EQ(sink->text(), "");
  hub_.JobChanged(Job("a", JobState::kSucceeded, 400, 1));
  EXPECT_EQ(sink->text(), "id: 4002\nevent: succeeded\ndata: succeeded\n\n");
}

TEST_F(JobEventHubTest, LastEventIdBeforeTheCurrentStateSendsIt) {
  auto stream = Open(Job("a", JobState::kRunning, 150, 1), 1000);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(), "id: 1501\nevent: running\ndata: running\n\n");
}

TEST_F(JobEventHubTest, IdsNeverGoBackEvenWhenAWritersClockDoes) {
  auto stream = Open(Job("a", JobState::kQueued, 500));
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  hub_.JobChanged(Job("a", JobState::kRunning, 450, 1));  // a worker 50 ms behind
  EXPECT_EQ(sink->text(),
            "id: 5000\nevent: queued\ndata: queued\n\n"
            "id: 5001\nevent: running\ndata: running\n\n");
}

TEST_F(JobEventHubTest, PollDeliversChangesMadeElsewhere) {
  JobRecord job = Job("a", JobState::kQueued, 100);
  ASSERT_TRUE(ledger_.Put(job).ok());
  auto stream = Open(job);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  ASSERT_TRUE(ledger_.Put(Job("a", JobState::kSucceeded, 900, 1)).ok());  // another process
  hub_.PollOnce();
  EXPECT_EQ(sink->text(),
            "id: 1000\nevent: queued\ndata: queued\n\n"
            "id: 9002\nevent: succeeded\ndata: succeeded\n\n");
  EXPECT_TRUE(sink->ended());
}

// The caller read the job (running), then the in-process worker finished it and told the hub
// before the stream was registered: the stream still ends with the final state, without a poll.
TEST_F(JobEventHubTest, ChangeToldBetweenTheCallersReadAndSubscribeIsNotMissed) {
  JobRecord running = Job("a", JobState::kRunning, 100, 1);
  ASSERT_TRUE(ledger_.Put(running).ok());
  JobRecord done = Job("a", JobState::kSucceeded, 200, 1);
  ASSERT_TRUE(ledger_.Put(done).ok());
  hub_.JobChanged(done);  // no stream yet: nobody to tell
  auto stream = Open(running);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(),
            "id: 1001\nevent: running\ndata: running\n\n"
            "id: 2002\nevent: succeeded\ndata: succeeded\n\n");
  EXPECT_TRUE(sink->ended());
  EXPECT_EQ(hub_.open_streams(), 0u);
  EXPECT_EQ(hub_.watched_jobs(), 0u);
  EXPECT_EQ(LedgerReads(), 0);  // not a poll
}

// Threads finishing jobs race threads opening their streams: every stream ends with the final
// state, whichever side wins.
TEST_F(JobEventHubTest, StreamsOpenedWhileJobsFinishAllEnd) {
  constexpr int kJobs = 200;
  JobEventOptions options = Options();
  options.max_streams = kJobs;
  JobEventHub hub(ledger_, options);
  std::vector<std::shared_ptr<RecordingSink>> sinks(kJobs);
  std::vector<std::shared_ptr<ResponseStream>> streams(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(ledger_.Put(Job("j" + std::to_string(i), JobState::kQueued, 10)).ok());
  }
  std::thread worker([&] {
    for (int i = 0; i < kJobs; ++i) {
      JobRecord done = Job("j" + std::to_string(i), JobState::kSucceeded, 20, 1);
      ASSERT_TRUE(ledger_.Put(done).ok());
      hub.JobChanged(done);
    }
  });
  for (int i = 0; i < kJobs; ++i) {
    auto read = ledger_.Get("j" + std::to_string(i));
    ASSERT_TRUE(read.ok());
    auto stream = hub.Subscribe(*read, std::nullopt, StateOnly);
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    sinks[i] = std::make_shared<RecordingSink>();
    (*stream)->Start(sinks[i]);
    streams[i] = *stream;
  }
  worker.join();
  for (int i = 0; i < kJobs; ++i) {
    EXPECT_TRUE(sinks[i]->ended()) << "job " << i << ": " << sinks[i]->text();
  }
  EXPECT_EQ(hub.open_streams(), 0u);
}

TEST_F(JobEventHubTest, PollSeesACancellationOfAQueuedJob) {
  JobRecord job = Job("a", JobState::kQueued, 100);
  ASSERT_TRUE(ledger_.Put(job).ok());
  auto stream = Open(job);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  ASSERT_TRUE(ledger_.RequestCancel("a").ok());
  hub_.PollOnce();
  EXPECT_EQ(sink->text(),
            "id: 1000\nevent: queued\ndata: queued\n\n"
            "id: 1004\nevent: cancelled\ndata: cancelled\n\n");
}

TEST_F(JobEventHubTest, ManyStreamsOnOneJobCostOneReadPerPoll) {
  JobRecord job = Job("a", JobState::kQueued, 100);
  ASSERT_TRUE(ledger_.Put(job).ok());
  std::vector<std::shared_ptr<ResponseStream>> streams;
  for (int i = 0; i < 3; ++i) streams.push_back(Open(job));
  hub_.PollOnce();
  EXPECT_EQ(LedgerReads(), 1);
  EXPECT_EQ(hub_.watched_jobs(), 1u);
  EXPECT_EQ(hub_.open_streams(), 3u);
}

TEST_F(JobEventHubTest, StreamsBeyondTheBoundAreRefusedUntilOneStops) {
  std::vector<std::shared_ptr<ResponseStream>> streams;
  for (int i = 0; i < 3; ++i)
    streams.push_back(Open(Job("j" + std::to_string(i), JobState::kQueued, 1)));
  auto refused = hub_.Subscribe(Job("x", JobState::kQueued, 1), std::nullopt, StateOnly);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().reason(), "too_many_streams");
  streams.front()->Stop();
  EXPECT_EQ(hub_.open_streams(), 2u);
  EXPECT_TRUE(hub_.Subscribe(Job("x", JobState::kQueued, 1), std::nullopt, StateOnly).ok());
}

TEST_F(JobEventHubTest, StoppedOrDroppedStreamsAreForgotten) {
  auto stopped = Open(Job("a", JobState::kQueued, 1));
  auto dropped = Open(Job("b", JobState::kQueued, 1));
  stopped->Stop();
  dropped.reset();
  EXPECT_EQ(hub_.open_streams(), 0u);
  EXPECT_EQ(hub_.watched_jobs(), 0u);
  hub_.PollOnce();
  EXPECT_EQ(LedgerReads(), 0);
}

TEST_F(JobEventHubTest, FinishedJobStreamSendsItsStateAndEnds) {
  auto stream = Open(Job("a", JobState::kFailed, 100, 3));
  EXPECT_EQ(hub_.open_streams(), 0u);
  auto sink = std::make_shared<RecordingSink>();
  stream->Start(sink);
  EXPECT_EQ(sink->text(), "id: 1003\nevent: failed\ndata: failed\n\n");
  EXPECT_TRUE(sink->ended());
}

// The route over a hub: the same 404 and owner rule as GET /jobs/{id}, 204 for a finished job
// the client has seen, and the stream's header.
class JobEventsRouteTest : public ::testing::Test {
 protected:
  JobEventsRouteTest() : hub_(ledger_, HubOptions()) {
    ApiOptions options;
    options.events = &hub_;
    api_ = std::make_unique<Api>(pipeline_, nullptr, &ledger_, metrics_, options);
  }
  static JobEventOptions HubOptions() {
    JobEventOptions options;
    options.poll_interval = std::chrono::milliseconds(0);
    return options;
  }

  HttpResponse Get(const std::string& path, const std::string& last_event_id = "") {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.headers.Add("Host", "pictor.test");
    if (!last_event_id.empty()) request.headers.Add("Last-Event-ID", last_event_id);
    return api_->Handle(request);
  }

  pictor::testing::FakeImageModel model_;
  pictor::testing::MemoryStore store_;
  Pipeline pipeline_{model_, store_};
  pictor::testing::MemoryLedger ledger_;
  MetricsRegistry metrics_;
  JobEventHub hub_;
  std::unique_ptr<Api> api_;
};

TEST_F(JobEventsRouteTest, UnknownJobIs404JsonBeforeAnyStream) {
  HttpResponse response = Get("/jobs/nope/events");
  EXPECT_EQ(response.status, 404);
  EXPECT_FALSE(response.stream);
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/json");
  EXPECT_NE(response.body.find("job_not_found"), std::string::npos) << response.body;
}

TEST_F(JobEventsRouteTest, JobAnswersAnEventStreamOfItsStateWithTheImageUrl) {
  JobRecord job = Job("a", JobState::kSucceeded, 100, 1);
  job.key = "cand/x.png";
  ASSERT_TRUE(ledger_.Put(job).ok());
  HttpResponse response = Get("/jobs/a/events");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.Get("Content-Type"), "text/event-stream");
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-cache");
  ASSERT_TRUE(response.stream);
  auto sink = std::make_shared<RecordingSink>();
  response.stream->Start(sink);
  EXPECT_EQ(sink->text().rfind("id: 1002\nevent: succeeded\ndata: {", 0), 0u) << sink->text();
  EXPECT_NE(sink->text().find("\"url\":\"http://pictor.test/images/cand/x.png\""),
            std::string::npos)
      << sink->text();
  EXPECT_TRUE(sink->ended());
}

TEST_F(JobEventsRouteTest, FinishedJobWhoseLastEventTheClientHasIs204) {
  ASSERT_TRUE(ledger_.Put(Job("a", JobState::kFailed, 100, 3)).ok());
  HttpResponse response = Get("/jobs/a/events", "1003");
  EXPECT_EQ(response.status, 204);
  EXPECT_FALSE(response.stream);
  EXPECT_EQ(Get("/jobs/a/events", "1002").status, 200);
}

TEST_F(JobEventsRouteTest, AnotherKeysJobIsAbsent) {
  JobRecord job = Job("a", JobState::kQueued, 100);
  job.owner = "alice";
  ASSERT_TRUE(ledger_.Put(job).ok());
  HttpRequest request;
  request.method = "GET";
  request.path = "/jobs/a/events";
  request.caller.key_name = "bob";
  request.caller.scopes = kScopeRead;
  // Dispatch directly: authentication (off here) would give the request every scope.
  Routed routed = api_->routes().Dispatch(request);
  EXPECT_EQ(routed.response.status, 404);
  EXPECT_FALSE(routed.response.stream);
  request.caller.key_name = "alice";
  routed = api_->routes().Dispatch(request);
  EXPECT_EQ(routed.response.status, 200);
  ASSERT_TRUE(routed.response.stream);
  routed.response.stream->Stop();
  EXPECT_EQ(hub_.open_streams(), 0u);
}

TEST(JobEventsWithoutHubTest, RouteAnswers501) {
  pictor::testing::FakeImageModel model;
  pictor::testing::MemoryStore store;
  Pipeline pipeline{model, store};
  pictor::testing::MemoryLedger ledger;
  MetricsRegistry metrics;
  ASSERT_TRUE(ledger.Put(Job("a", JobState::kQueued, 1)).ok());
  Api api(pipeline, nullptr, &ledger, metrics, ApiOptions{});
  HttpRequest request;
  request.method = "GET";
  request.path = "/jobs/a/events";
  EXPECT_EQ(api.Handle(request).status, 501);
}

}  // namespace
}  // namespace pictor::http
