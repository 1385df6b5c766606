// The JobQueue contract: the cases every adapter of the port (and its fake) must pass, written
// once (job_queue_contract.cc) and instantiated per adapter (job_queue_adapters.cc), so an
// adapter that drifts from the port's promises fails here rather than in production.
//
// The cases never sleep to let time pass. An adapter on a test clock (SQLite, the fake) moves
// its clock in Elapse; a peer on real time (SQS on fauxqs) cannot be hurried, so Elapse does
// nothing there and a case that expects a redelivery long-polls for it (Receive with a wait).
#ifndef PICTOR_TESTS_CONTRACT_JOB_QUEUE_CONTRACT_H_
#define PICTOR_TESTS_CONTRACT_JOB_QUEUE_CONTRACT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "pictor/job_queue.h"

namespace pictor::testing {

// One adapter under test, with whatever it runs on (a temporary file, a peer process).
class QueueUnderTest {
 public:
  virtual ~QueueUnderTest() = default;
  virtual JobQueue& queue() = 0;
  // Lets at least `by` pass on the queue's clock, or nothing when the queue runs on real time.
  virtual void Elapse(std::chrono::seconds by) = 0;
  // SQS answers a delete with a stale receipt handle with success (and deletes nothing); the
  // others refuse it with FailedPrecondition, as the port asks.
  virtual bool RefusesStaleDelete() const { return true; }
};

struct QueueAdapter {
  std::string name;  // a test-name suffix: letters and digits only
  // Sets up a fresh, empty queue; a test fails (it is never skipped) when it cannot.
  std::function<Result<std::unique_ptr<QueueUnderTest>>()> open;
};

inline void PrintTo(const QueueAdapter& adapter, std::ostream* out) { *out << adapter.name; }

class JobQueueContract : public ::testing::TestWithParam<QueueAdapter> {
 protected:
  void SetUp() override;
  JobQueue& queue() { return under_test_->queue(); }
  void Elapse(std::chrono::seconds by) { under_test_->Elapse(by); }
  // Receives exactly one message, long-polling up to 10 s for it; fails the test otherwise.
  ReceivedMessage ReceiveOne(std::chrono::seconds visibility = std::chrono::seconds(30));
  // Receives without waiting and expects nothing.
  void ExpectNothingVisible();

  std::unique_ptr<QueueUnderTest> under_test_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_JOB_QUEUE_CONTRACT_H_
