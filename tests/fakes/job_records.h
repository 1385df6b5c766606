// Job records for the JobLedger adapters' tests.
#ifndef PICTOR_TESTS_FAKES_JOB_RECORDS_H_
#define PICTOR_TESTS_FAKES_JOB_RECORDS_H_

#include <cstdio>
#include <string>
#include <utility>

#include "pictor/job_ledger.h"

namespace pictor::testing {

// A queued job with a Norwegian prompt, created at a fixed time.
inline JobRecord SampleJobRecord(std::string id, std::string idempotency_key = "") {
  JobRecord r;
  r.id = std::move(id);
  r.prompt = "en katt på månen";
  r.seed = 42;
  r.width = 512;
  r.height = 256;
  r.key = "generated_images/from_queue/x.png";
  r.created_ms = r.updated_ms = 1700000000000;
  r.idempotency_key = std::move(idempotency_key);
  r.request_digest = "d1";
  return r;
}

// A distinct, valid (UUID-shaped, time-ordered) job id for each n.
inline std::string NumberedJobId(int n) {
  char id[40];
  std::snprintf(id, sizeof id, "0190a1b2-c3d4-7e5f-8a9b-%012d", n);
  return id;
}

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_FAKES_JOB_RECORDS_H_
