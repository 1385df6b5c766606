// The queue consumer: keeps up to `concurrency` jobs in flight, extends their visibility while
// they run, and settles each message from its job's outcome (delete, retry later, dead-letter).
#ifndef PICTOR_CORE_WORKER_H_
#define PICTOR_CORE_WORKER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/backoff.h"
#include "core/pipeline.h"
#include "pictor/job_queue.h"

namespace pictor {

struct WorkerOptions {
  int concurrency = 4;                          // jobs in flight at once
  std::chrono::seconds visibility_timeout{60};  // renewed while a job runs
  int max_attempts = 5;                         // the queue's maxReceiveCount
  std::chrono::milliseconds poll_wait{1000};    // long-poll wait per receive
  BackoffPolicy retry_backoff{std::chrono::milliseconds(2000), std::chrono::milliseconds(300000)};
  // Waits out faults of the system (ClassifyFault kSystem: a full disk, a throttled model or
  // store): the n-th deferral of a message waits EqualJitterDelay(defer_backoff, n), 15-30 s
  // first, doubling to 7.5-15 min (SQS's longest delay), through JobQueue::Defer.
  BackoffPolicy defer_backoff{std::chrono::seconds(30), kMaxDeferDelay};
  int max_deferrals = kDefaultMaxDeferrals;
  // While the pipeline's global budget cannot pay for one more image (of the pipeline's job
  // size), the worker receives nothing: the messages wait in the queue, where the queue-age
  // alarm sees them. It looks again at the budget's reset (by the pipeline's clock) and at least
  // this often meanwhile (a refund or a new budget may open room sooner).
  std::chrono::milliseconds budget_recheck{30000};
  // Told the number of messages the worker holds (received and not yet settled or released)
  // each time it changes, with the worker's lock held: it must be quick and must not call the
  // worker. Empty: nobody is told. The ECS scale-in protection (core/scale_in_protection.h)
  // follows it.
  std::function<void(size_t)> on_jobs_in_hand;
  // A number in [0, 1) for the jitter of both waits; empty = a thread-local generator. Tests
  // set it to assert the waits requested.
  std::function<double()> random01;
};

// The wait before the `deferrals`-th delivery of a message deferred for a fault of the system:
// EqualJitterDelay in whole seconds, 1..kMaxDeferDelay. Shared with the Lambda SQS handler.
std::chrono::seconds DeferDelay(const BackoffPolicy& policy, int deferrals, double random01);

// Thread-safety: Start, RequestStop and Join may be called from any thread; RequestStop is
// idempotent. The queue and pipeline are borrowed and must outlive the Worker.
class Worker {
 public:
  Worker(JobQueue& queue, const Pipeline& pipeline, WorkerOptions options);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();  // requests stop and joins

  void Start();
  // Stops receiving. Jobs already running finish and are settled; received messages not yet
  // started are released (made visible again) for another worker.
  void RequestStop();
  // Waits until every thread has ended (after RequestStop).
  void Join();

  // Jobs settled since start, by outcome.
  int64_t succeeded() const { return succeeded_.load(); }
  int64_t retried() const { return retried_.load(); }
  int64_t dead_lettered() const { return dead_lettered_.load(); }
  int64_t deferred() const { return deferred_.load(); }
  int64_t cancelled() const { return cancelled_.load(); }
  // True while receiving is paused because the global budget is spent.
  bool paused_for_budget() const { return paused_for_budget_.load(); }

 private:
  struct InFlight {
    std::string receipt_handle;
    std::chrono::steady_clock::time_point visible_until;
  };
  void ReceiveLoop();
  void ExecuteLoop();
  void HeartbeatLoop();
  void Settle(const ReceivedMessage& message, const JobResult& result);
  // Returns when the global budget can pay for an image or stop was requested (then false).
  bool WaitForBudget();
  void SetPausedGauge(bool paused);
  void TellJobsInHand();  // with mu_ held

  JobQueue& queue_;
  const Pipeline& pipeline_;
  const WorkerOptions options_;

  std::mutex mu_;                    // guards pending_, in_flight_, running_, stopping_
  std::condition_variable work_cv_;  // pending_ grew or stopping_
  std::condition_variable slot_cv_;  // a slot freed or stopping_
  std::deque<ReceivedMessage> pending_;
  std::map<std::string, InFlight> in_flight_;  // by message id: received and not yet settled
  int running_ = 0;
  bool stopping_ = false;

  std::vector<std::thread> threads_;
  double Random01() const;

  std::atomic<int64_t> succeeded_{0}, retried_{0}, dead_lettered_{0}, deferred_{0}, cancelled_{0};
  std::atomic<bool> paused_for_budget_{false};
};

}  // namespace pictor

#endif  // PICTOR_CORE_WORKER_H_
