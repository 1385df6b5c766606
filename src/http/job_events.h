// GET /jobs/{id}/events: a job's state changes as Server-Sent Events, and the hub that feeds
// every open stream of a server.
//
// Each event is one state the job took: `event:` the state's name (queued, running, succeeded,
// failed, cancelled), `data:` the job's JSON as GET /jobs/{id} shows it, `id:` JobEventId. The
// stream ends after a final state. A client reconnecting with Last-Event-ID gets no event at or
// before that id again, and the job's current state if it is newer.
//
// Changes reach the hub two ways: in-process workers tell it (JobObserver, at once), and one
// poller thread reads the ledger for every watched job each poll_interval (one Get per job,
// however many streams watch it), for what other processes (`pictor worker`, a cancellation) do.
// No thread per stream: the server writes what the hub gives it from its event loop.
#ifndef PICTOR_HTTP_JOB_EVENTS_H_
#define PICTOR_HTTP_JOB_EVENTS_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/job_observer.h"
#include "http/response_stream.h"
#include "pictor/job_ledger.h"
#include "pictor/metrics.h"
#include "pictor/status.h"

namespace pictor::http {

// The id of the event a record makes: updated_ms * 10 + the state's stored number (queued 0,
// running 1, succeeded 2, failed 3, cancelled 4). Durable and the same in every process that
// reads the record, so a client may reconnect to another server; the state breaks a tie of two
// writes in one millisecond (queued → running, or a queued job read as cancelled, whose
// updated_ms a cancellation does not change). A stream never sends an id at or below one it
// sent: an event whose own id is not above the last (a writer whose clock is behind) goes out
// as the last plus one.
int64_t JobEventId(const JobRecord& record);

// One event in the text/event-stream format: "id: <id>\nevent: <event>\ndata: <line>\n...\n".
// `data` is split at line breaks (each line its own data: field); `event` must hold none.
std::string ServerSentEvent(std::string_view event, int64_t id, std::string_view data);

// The comment the server sends on a quiet stream.
inline constexpr std::string_view kSseKeepalive = ": keepalive\n\n";

// Last-Event-ID as this server issues ids: 1 to 18 decimal digits. Anything else (a value another
// server made, a client's invention) is nullopt, read as absent: the stream starts from the
// job's current state, which is never wrong, only possibly a repeat.
std::optional<int64_t> ParseLastEventId(std::string_view value);

struct JobEventOptions {
  // How often the ledger is read for each watched job; 0: never (tests call PollOnce).
  std::chrono::milliseconds poll_interval{1000};
  // How long a stream may be quiet before a keepalive comment goes out.
  std::chrono::milliseconds keepalive_interval{15000};
  // Open streams beyond this are refused (503).
  size_t max_streams = 10000;
};

// The event data of a record: the job JSON of GET /jobs/{id} (with the image URL as the
// request that opened the stream would be told). Called with the hub's lock held: quick, and
// never calling back into the hub.
using JobEventRenderer = std::function<std::string(const JobRecord&)>;

class JobEventStream;

// Thread-safety: thread-safe. JobChanged may be called from any thread. The ledger and metrics
// are borrowed and outlive the hub; every stream it made must be stopped or destroyed before it
// (the HTTP server that writes them is stopped first).
class JobEventHub final : public JobObserver {
 public:
  // Starts the poller thread unless options.poll_interval is 0. `metrics` may be null.
  JobEventHub(JobLedger& ledger, JobEventOptions options, MetricsRegistry* metrics = nullptr);
  ~JobEventHub() override;
  JobEventHub(const JobEventHub&) = delete;
  JobEventHub& operator=(const JobEventHub&) = delete;

  // The stream of `current`'s job (as the ledger just returned it) for a client that last saw
  // `last_event_id`: it starts with the current state unless that id covers it, then follows
  // the job until a final state. Once registered, the stream's job is read from the ledger once
  // more (a change told in-process between the caller's read and the registration is not
  // missed). Unavailable (reason "too_many_streams") when max_streams are open.
  Result<std::shared_ptr<ResponseStream>> Subscribe(const JobRecord& current,
                                                    std::optional<int64_t> last_event_id,
                                                    JobEventRenderer render);

  // In-process changes (PipelineOptions::observer): delivered at once to the job's streams.
  void JobChanged(const JobRecord& record) override;

  // Reads every watched job from the ledger once (one Get each) and delivers what changed.
  // Called by the poller thread; public for tests.
  void PollOnce();

  size_t open_streams() const;
  size_t watched_jobs() const;
  const JobEventOptions& options() const { return options_; }

 private:
  friend class JobEventStream;
  struct Watch {
    std::vector<JobEventStream*> streams;  // registered, not yet ended or stopped
    // Bumped by every change delivered outside a poll (JobChanged, a new stream): a poll whose
    // Get started before it may have read an older state, and is not delivered.
    uint64_t version = 0;
  };

  void Publish(Watch& watch, const JobRecord& record);  // mu_ held
  // Reads job `id` and delivers it unless a change was delivered since `version` (mu_ not held).
  void Refresh(const std::string& id, uint64_t version);
  void Unregister(JobEventStream* stream);
  void PollLoop();

  JobLedger& ledger_;
  const JobEventOptions options_;
  Gauge* open_gauge_ = nullptr;      // pictor_event_streams_open
  Counter* poll_counter_ = nullptr;  // pictor_event_stream_ledger_reads_total
  mutable std::mutex mu_;            // guards jobs_, open_ and every stream's state
  std::unordered_map<std::string, Watch> jobs_;
  size_t open_ = 0;
  std::condition_variable stop_cv_;  // with mu_: wakes the poller to stop
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_JOB_EVENTS_H_
