// JobObserver: told of each state a job's record takes, in the process that writes it, so that
// what follows a job (event streams, webhooks) need not poll the ledger for changes made here.
// Other processes' changes reach a process only through the ledger.
#ifndef PICTOR_CORE_JOB_OBSERVER_H_
#define PICTOR_CORE_JOB_OBSERVER_H_

#include <mutex>
#include <vector>

#include "pictor/job_ledger.h"

namespace pictor {

// Thread-safety: JobChanged may be called from any thread at once; implementations are
// thread-safe, return quickly and never throw.
class JobObserver {
 public:
  JobObserver() = default;
  JobObserver(const JobObserver&) = delete;
  JobObserver& operator=(const JobObserver&) = delete;
  virtual ~JobObserver() = default;

  // `record` is what was just written to the ledger (also when writing it failed: the ledger is
  // a view, and the job did take this state).
  virtual void JobChanged(const JobRecord& record) = 0;
};

// Tells every observer added, in the order they were added. Observers are borrowed and must
// outlive it.
class JobObservers final : public JobObserver {
 public:
  void Add(JobObserver* observer) {
    std::lock_guard lock(mu_);
    observers_.push_back(observer);
  }
  // Stops telling `observer`. A JobChanged already running may still be telling it: remove an
  // observer only once nothing changes jobs any more (the workers stopped).
  void Remove(JobObserver* observer) {
    std::lock_guard lock(mu_);
    std::erase(observers_, observer);
  }
  void JobChanged(const JobRecord& record) override {
    std::vector<JobObserver*> observers;
    {
      std::lock_guard lock(mu_);
      observers = observers_;
    }
    for (JobObserver* o : observers) o->JobChanged(record);
  }

 private:
  std::mutex mu_;
  std::vector<JobObserver*> observers_;
};

}  // namespace pictor

#endif  // PICTOR_CORE_JOB_OBSERVER_H_
