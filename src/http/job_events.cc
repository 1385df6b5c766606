#include "http/job_events.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace pictor::http {

int64_t JobEventId(const JobRecord& record) {
  return record.updated_ms * 10 + static_cast<int64_t>(record.state);
}

std::string ServerSentEvent(std::string_view event, int64_t id, std::string_view data) {
  std::string text = "id: " + std::to_string(id) + "\nevent: ";
  text.append(event);
  text.push_back('\n');
  // A CR, an LF or a CRLF ends a line of the format: each line of data is a field of its own.
  for (;;) {
    const size_t end = data.find_first_of("\r\n");
    text.append("data: ").append(data.substr(0, end)).push_back('\n');
    if (end == std::string_view::npos) break;
    const size_t next = data.compare(end, 2, "\r\n") == 0 ? end + 2 : end + 1;
    data.remove_prefix(next);
  }
  text.push_back('\n');
  return text;
}

std::optional<int64_t> ParseLastEventId(std::string_view value) {
  if (value.empty() || value.size() > 18) return std::nullopt;
  int64_t id = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

// One open stream of one job. Every member but the constant ones is guarded by the hub's mu_.
class JobEventStream final : public ResponseStream {
 public:
  JobEventStream(JobEventHub& hub, std::string job_id, JobEventRenderer render)
      : hub_(hub), job_id_(std::move(job_id)), render_(std::move(render)) {}
  // Unregisters first, while every member is intact: a Publish running now holds the lock.
  ~JobEventStream() override { hub_.Unregister(this); }

  void Start(std::shared_ptr<ResponseSink> sink) override {
    std::lock_guard lock(hub_.mu_);
    if (stopped_) return;
    sink_ = std::move(sink);
    if (!pending_.empty() || pending_last_) sink_->Write(std::move(pending_), pending_last_);
    pending_.clear();
    if (pending_last_) sink_.reset();
  }

  void Stop() override { hub_.Unregister(this); }

  std::string keepalive() const override { return std::string(kSseKeepalive); }
  std::chrono::milliseconds keepalive_interval() const override {
    return hub_.options_.keepalive_interval;
  }

  const std::string& job_id() const { return job_id_; }

  // The client last saw `last_event_id` (and so the state it names, when that covers `current`).
  void Begin(const JobRecord& current, std::optional<int64_t> last_event_id) {
    if (last_event_id) last_id_ = *last_event_id;
    if (last_event_id && JobEventId(current) <= *last_event_id) {
      last_state_ = current.state;
      last_attempts_ = current.attempts;
      return;
    }
    Deliver(current);
  }

  // One event when `record` is a change from what the client has: another state, or the same
  // state of another attempt (a retry whose queued state no read caught).
  void Deliver(const JobRecord& record) {
    if (ended_ || stopped_) return;
    if (last_state_ == record.state && last_attempts_ == record.attempts) return;
    const int64_t id = std::max(JobEventId(record), last_id_ + 1);
    last_id_ = id;
    last_state_ = record.state;
    last_attempts_ = record.attempts;
    ended_ = IsFinalJobState(record.state);
    std::string text = ServerSentEvent(JobStateName(record.state), id, render_(record));
    if (sink_) {
      sink_->Write(std::move(text), ended_);
      if (ended_) sink_.reset();
    } else {
      pending_ += text;
      pending_last_ = ended_;
    }
  }

  bool ended() const { return ended_; }

 private:
  friend class JobEventHub;
  JobEventHub& hub_;
  const std::string job_id_;
  const JobEventRenderer render_;
  std::shared_ptr<ResponseSink> sink_;  // from Start until the end or Stop
  std::string pending_;                 // events before Start
  bool pending_last_ = false;
  int64_t last_id_ = -1;
  std::optional<JobState> last_state_;
  int last_attempts_ = -1;
  bool ended_ = false;       // the final state is sent
  bool stopped_ = false;     // Stop was called
  bool registered_ = false;  // in hub_.jobs_, counted in hub_.open_
};

JobEventHub::JobEventHub(JobLedger& ledger, JobEventOptions options, MetricsRegistry* metrics)
    : ledger_(ledger), options_(options) {
  if (metrics != nullptr) {
    open_gauge_ =
        &metrics->GetGauge("pictor_event_streams_open", "Open GET /jobs/{id}/events streams.");
    poll_counter_ = &metrics->GetCounter(
        "pictor_event_stream_ledger_reads_total",
        "Job ledger reads made to follow jobs that event streams watch (one per watched job "
        "per poll).");
  }
  if (options_.poll_interval.count() > 0) poller_ = std::thread([this] { PollLoop(); });
}

JobEventHub::~JobEventHub() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

Result<std::shared_ptr<ResponseStream>> JobEventHub::Subscribe(const JobRecord& current,
                                                               std::optional<int64_t> last_event_id,
                                                               JobEventRenderer render) {
  auto stream = std::make_shared<JobEventStream>(*this, current.id, std::move(render));
  std::unique_lock lock(mu_);
  if (open_ >= options_.max_streams) {
    return Status(StatusCode::kUnavailable,
                  "too many open event streams (" + std::to_string(options_.max_streams) +
                      "); try again later, or poll GET /jobs/{id}",
                  "too_many_streams");
  }
  stream->Begin(current, last_event_id);
  if (stream->ended()) return std::shared_ptr<ResponseStream>(std::move(stream));
  Watch& watch = jobs_[current.id];
  watch.streams.push_back(stream.get());
  ++watch.version;  // a poll in flight read the job before this stream's state
  stream->registered_ = true;
  ++open_;
  if (open_gauge_ != nullptr) open_gauge_->Set(static_cast<double>(open_));
  const uint64_t version = watch.version;
  lock.unlock();
  // A change told in-process between the caller's read and this registration found no stream
  // to tell: read the job once more now that the stream hears every change, rather than leave
  // it to the next poll (a job the builtin model finishes in milliseconds would otherwise look
  // stuck for a poll interval, or for ever with polling off).
  Refresh(current.id, version);
  return std::shared_ptr<ResponseStream>(std::move(stream));
}

void JobEventHub::Refresh(const std::string& id, uint64_t version) {
  auto record = ledger_.Get(id);  // outside the lock: a remote ledger takes its time
  if (!record.ok()) {
    if (!record.status().IsNotFound()) {
      spdlog::debug("event streams: reading job {} failed: {}", id, record.status().ToString());
    }
    return;
  }
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  // A change delivered since (JobChanged, another stream) may be newer than what this read saw.
  if (it == jobs_.end() || it->second.version != version) return;
  Publish(it->second, *record);
  if (it->second.streams.empty()) jobs_.erase(it);
}

void JobEventHub::JobChanged(const JobRecord& record) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(record.id);
  if (it == jobs_.end()) return;
  ++it->second.version;
  Publish(it->second, record);
  if (it->second.streams.empty()) jobs_.erase(it);
}

void JobEventHub::Publish(Watch& watch, const JobRecord& record) {
  for (JobEventStream* stream : watch.streams) stream->Deliver(record);
  const size_t before = watch.streams.size();
  std::erase_if(watch.streams, [](JobEventStream* stream) {
    if (!stream->ended()) return false;
    stream->registered_ = false;
    return true;
  });
  open_ -= before - watch.streams.size();
  if (open_gauge_ != nullptr) open_gauge_->Set(static_cast<double>(open_));
}

void JobEventHub::Unregister(JobEventStream* stream) {
  std::lock_guard lock(mu_);
  stream->stopped_ = true;
  stream->sink_.reset();
  if (!stream->registered_) return;
  stream->registered_ = false;
  --open_;
  if (open_gauge_ != nullptr) open_gauge_->Set(static_cast<double>(open_));
  auto it = jobs_.find(stream->job_id());
  if (it == jobs_.end()) return;
  std::erase(it->second.streams, stream);
  if (it->second.streams.empty()) jobs_.erase(it);
}

void JobEventHub::PollOnce() {
  std::vector<std::pair<std::string, uint64_t>> watched;
  {
    std::lock_guard lock(mu_);
    watched.reserve(jobs_.size());
    for (const auto& [id, watch] : jobs_) watched.emplace_back(id, watch.version);
  }
  for (const auto& [id, version] : watched) {
    if (poll_counter_ != nullptr) poll_counter_->Increment();
    Refresh(id, version);
  }
}

size_t JobEventHub::open_streams() const {
  std::lock_guard lock(mu_);
  return open_;
}

size_t JobEventHub::watched_jobs() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void JobEventHub::PollLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    if (stopping_) break;
    const bool any = !jobs_.empty();
    lock.unlock();
    if (any) PollOnce();
    lock.lock();
  }
}

}  // namespace pictor::http
