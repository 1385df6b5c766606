// The store ledger: job records and idempotency claims as JSON objects (see store_ledger.h).
#include "ledger/store/store_ledger.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "core/digest.h"
#include "ledger/store/job_record_json.h"

namespace pictor {
namespace {

constexpr size_t kMaxIdLength = 64;
// Records are a few KiB at most (prompts and errors are bounded); a larger object is not one,
// and is not worth parsing.
constexpr size_t kMaxRecordBytes = 1 << 20;
// Claiming a key is tried again only when its claim vanished between PutIfAbsent and the read
// (the job was removed); a few rounds settle any realistic interleaving.
constexpr int kMaxClaimRounds = 3;
constexpr std::string_view kContentType = "application/json";

// "/images//jobs/" -> "images/jobs": a prefix is often built by joining settings that may end
// in '/' (KEY_PREFIX=images/), and an empty segment would make every key invalid.
std::string DropEmptySegments(std::string_view prefix) {
  std::string out;
  while (!prefix.empty()) {
    size_t slash = prefix.find('/');
    std::string_view segment = prefix.substr(0, slash);
    if (!segment.empty()) {
      if (!out.empty()) out += '/';
      out.append(segment);
    }
    if (slash == std::string_view::npos) break;
    prefix.remove_prefix(slash + 1);
  }
  return out;
}

Status CheckId(std::string_view id) {
  if (IsValidStoreLedgerId(id)) return Status::Ok();
  return Status::InvalidArgument("job ids are 1 to 64 characters of 0-9, a-f, A-F and '-'",
                                 "invalid_job_id");
}

// Thread-safe: holds only its settings and the (thread-safe) store.
class StoreLedger final : public JobLedger {
 public:
  StoreLedger(ObjectStore& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}

  Result<CreateResult> Create(const JobRecord& record) override {
    if (Status s = CheckId(record.id); !s.ok()) return s;
    const std::string encoded = ledger_store::EncodeJobRecord(record);
    if (record.idempotency_key.empty()) {
      if (Status s = Write(record.id, encoded); !s.ok()) return s;
      return CreateResult{record, true};
    }
    const std::string claim = ClaimKey(record.idempotency_key);
    for (int round = 0; round < kMaxClaimRounds; ++round) {
      Status claimed = store_.PutIfAbsent(claim, encoded, kContentType);
      if (claimed.ok()) return WriteClaimed(record, encoded, claim);
      if (claimed.code() != StatusCode::kAlreadyExists) {
        return claimed.WithContext("claiming the Idempotency-Key of job " + record.id);
      }
      Result<JobRecord> first = Read(claim);
      if (first.status().IsNotFound()) continue;  // its job was removed since: claim it again
      if (!first.ok()) return first.status();
      if (first->idempotency_key != record.idempotency_key || !IsValidStoreLedgerId(first->id)) {
        return Damaged(claim, "is not this Idempotency-Key's claim");
      }
      // A PutIfAbsent retried inside the store can find what its own first attempt stored.
      if (first->id == record.id) return WriteClaimed(record, encoded, claim);
      Result<JobRecord> current = ReadJob(first->id);
      if (current.ok()) {
        // MarkEnqueued marks the claim, which only Create writes: never a worker's record.
        current->enqueued = current->enqueued || first->enqueued;
        return CreateResult{std::move(current).value(), false};
      }
      if (!current.status().IsNotFound()) return current.status();
      // The first creator has not written the job's own record yet: the claim holds the job as
      // it was created.
      return CreateResult{std::move(first).value(), false};
    }
    return Status::Aborted("the Idempotency-Key of job " + record.id +
                           " was released again and again while it was being claimed");
  }

  Result<JobRecord> Get(std::string_view id) override {
    if (!IsValidStoreLedgerId(id)) {
      return Status::NotFound("no job has that id (ids are 1 to 64 of 0-9, a-f and '-')");
    }
    return ReadJob(id);
  }

  Status Put(const JobRecord& record) override {
    if (Status s = CheckId(record.id); !s.ok()) return s;
    return Write(record.id, ledger_store::EncodeJobRecord(record));
  }

  // The claim goes before the job's own record: a claim left without its record (a failure
  // between the two deletes) would hand later requests with that key a job that was never
  // queued, while a record left without its claim is only an orphan.
  Status Remove(std::string_view id) override {
    if (Status s = CheckId(id); !s.ok()) return s;
    Result<JobRecord> record = ReadJob(id);
    if (record.ok() && !record->idempotency_key.empty()) {
      const std::string claim = ClaimKey(record->idempotency_key);
      Result<JobRecord> claimed = Read(claim);
      // Only this job's claim is released: the key may belong to another job by now.
      if (claimed.ok() && claimed->id == id) {
        if (Status s = store_.Delete(claim); !s.ok()) {
          return s.WithContext("releasing the Idempotency-Key of job " + std::string(id));
        }
      } else if (!claimed.ok() && !claimed.status().IsNotFound() &&
                 claimed.status().code() != StatusCode::kDataLoss) {
        return claimed.status();
      }
    } else if (!record.ok() && !record.status().IsNotFound() &&
               record.status().code() != StatusCode::kDataLoss) {
      return record.status();  // cannot tell whether a claim must be released
    }
    if (Status s = store_.Delete(JobKey(id)); !s.ok()) {
      return s.WithContext("removing job " + std::string(id));
    }
    return Status::Ok();
  }

  // The mark goes on the Idempotency-Key's claim, not on the job's record: only Create writes a
  // claim, so rewriting it cannot undo a state a worker wrote meanwhile (the store has no
  // conditional update), and a replay reads the claim anyway. Records without a key are never
  // replayed: nothing to mark.
  Status MarkEnqueued(const JobRecord& record) override {
    if (record.idempotency_key.empty()) return Status::Ok();
    if (Status s = CheckId(record.id); !s.ok()) return s;
    JobRecord marked = record;
    marked.enqueued = true;
    Status s = store_.Put(ClaimKey(record.idempotency_key), ledger_store::EncodeJobRecord(marked),
                          kContentType);
    if (!s.ok()) return s.WithContext("marking job " + record.id + " enqueued");
    return Status::Ok();
  }

 private:
  // The job's own record, after the claim: on failure the claim is released again, so the
  // client's retry with the same key creates the job instead of being handed one that was never
  // recorded (nor queued). Should that delete fail too, the retry gets the claim's copy.
  Result<CreateResult> WriteClaimed(const JobRecord& record, const std::string& encoded,
                                    const std::string& claim) {
    if (Status s = Write(record.id, encoded); !s.ok()) {
      (void)store_.Delete(claim);
      return s;
    }
    return CreateResult{record, true};
  }

  Status Write(std::string_view id, const std::string& encoded) {
    Status s = store_.Put(JobKey(id), encoded, kContentType);
    if (!s.ok()) return s.WithContext("recording job " + std::string(id));
    return Status::Ok();
  }

  // The job's record, which must name `id` itself.
  Result<JobRecord> ReadJob(std::string_view id) {
    const std::string key = JobKey(id);
    Result<JobRecord> record = Read(key);
    if (record.status().IsNotFound()) return Status::NotFound("no job with id " + std::string(id));
    if (record.ok() && record->id != id) {
      return Damaged(key, "holds the record of another job");
    }
    return record;
  }

  Result<JobRecord> Read(const std::string& key) {
    Result<StoredObject> object = store_.Get(key);
    if (!object.ok()) return object.status();
    if (object->data.size() > kMaxRecordBytes) {
      return Damaged(key, "is too large to be a job record");
    }
    Result<JobRecord> record = ledger_store::DecodeJobRecord(object->data);
    if (!record.ok()) {
      spdlog::error("job ledger: {}: {}", store_.Location(key), record.status().message());
      return record.status().WithContext("job record " + key);
    }
    return record;
  }

  // DataLoss for the object at `key`. The message, which can reach an API client, names the
  // key; where it lives (a server path for a file store) goes to the log.
  Status Damaged(const std::string& key, std::string_view what) const {
    spdlog::error("job ledger: {} {}", store_.Location(key), what);
    return Status::DataLoss("job record " + key + " " + std::string(what));
  }

  std::string JobKey(std::string_view id) const { return Under(std::string(id) + ".json"); }

  std::string ClaimKey(std::string_view idempotency_key) const {
    return Under("idempotency/" + Sha256Hex(idempotency_key) + ".json");
  }

  std::string Under(std::string name) const {
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }

  ObjectStore& store_;
  const std::string prefix_;
};

}  // namespace

bool IsValidStoreLedgerId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::unique_ptr<JobLedger>> OpenStoreLedger(ObjectStore& store, std::string prefix) {
  prefix = DropEmptySegments(prefix);
  if (!prefix.empty()) {
    if (Status s = ValidateObjectKey(prefix + "/idempotency/x.json"); !s.ok()) {
      return Status::InvalidArgument("the job ledger's prefix '" + prefix +
                                     "' cannot begin an object key: " + s.message());
    }
  }
  return std::unique_ptr<JobLedger>(std::make_unique<StoreLedger>(store, std::move(prefix)));
}

}  // namespace pictor
