// The store ledger: job records and idempotency claims as JSON objects (see store_ledger.h).
#include "ledger/store/store_ledger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/digest.h"
#include "core/job_cursor.h"
#include "core/quota.h"
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
constexpr std::string_view kIndexContentType = "application/octet-stream";
// The index entries a List filtering by state may examine (each costs a GET of its record).
constexpr size_t kMaxExaminedWithState = 256;
static_assert(kMaxExaminedWithState > kMaxJobListLimit);
constexpr size_t kRevDigits = 19;
constexpr size_t kBackfillPage = 1000;  // S3's largest page
constexpr size_t kListReaders = 8;      // concurrent GETs of one List

// Index entries sort by this, ascending: created_ms descending. Negative times count as 0.
std::string IndexName(int64_t created_ms, std::string_view id) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  char rev[kRevDigits + 1];
  std::snprintf(rev, sizeof rev, "%019" PRId64, kMax - std::max<int64_t>(created_ms, 0));
  return std::string(rev) + "-" + std::string(id);
}

struct IndexEntry {
  int64_t created_ms = 0;
  std::string id;
};

// What IndexName wrote; nullopt for anything else.
std::optional<IndexEntry> ParseIndexName(std::string_view name) {
  if (name.size() < kRevDigits + 2 || name[kRevDigits] != '-') return std::nullopt;
  int64_t rev = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + kRevDigits, rev);
  if (error != std::errc() || end != name.data() + kRevDigits || rev < 0) return std::nullopt;
  IndexEntry entry{std::numeric_limits<int64_t>::max() - rev, std::string(name.substr(20))};
  if (!IsValidStoreLedgerId(entry.id)) return std::nullopt;
  return entry;
}

// A key name is already a valid key segment; anything else an owner might be is hashed.
std::string OwnerSegment(std::string_view owner) {
  if (ValidateKeyName(owner).ok()) return std::string(owner);
  // Appended rather than `"~" + Sha256Hex(...)`, which GCC 12 misreads as an overlapping copy
  // (-Wrestrict) in optimized builds.
  std::string segment = "~";
  segment += Sha256Hex(owner);
  return segment;
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
      if (Status s = WriteIndexed(record, encoded); !s.ok()) return s;
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
    if (record.cancel_requested) {
      if (Status s = WriteCancelMarker(record.id); !s.ok()) return s;
    }
    return WriteIndexed(record, ledger_store::EncodeJobRecord(record));
  }

  // The request is an object of its own (no Put rewrites it), written after the job is found.
  Result<JobRecord> RequestCancel(std::string_view id) override {
    if (!IsValidStoreLedgerId(id)) {
      return Status::NotFound("no job has that id (ids are 1 to 64 of 0-9, a-f and '-')");
    }
    Result<JobRecord> record = ReadJob(id);
    if (!record.ok()) return record.status();
    if (!record->cancel_requested) {
      if (Status s = WriteCancelMarker(id); !s.ok()) return s;
      record->cancel_requested = true;
    }
    if (record->state == JobState::kQueued) {
      // The record says so too, so that List (which reads no marker) shows the job cancelled. A
      // worker that wrote "running" meanwhile still finds the marker before it stores the image.
      JobRecord cancelled = ApplyCancellation(*record);
      if (Status s = Write(id, ledger_store::EncodeJobRecord(cancelled)); !s.ok()) return s;
      return cancelled;
    }
    return ApplyCancellation(std::move(record).value());
  }

  // Read, change, write: the store has no conditional update. The deliverer writes after the
  // job's final state, when no worker writes the record any more.
  Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& delivery) override {
    if (!IsValidStoreLedgerId(id)) return Status::NotFound("no job with id " + std::string(id));
    Result<JobRecord> record = ReadJob(id);
    if (!record.ok()) return record.status();
    record->webhook = delivery;
    return Write(id, ledger_store::EncodeJobRecord(*record));
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
    if (record.ok() && record->cancel_requested) {
      if (Status s = store_.Delete(CancelKey(id)); !s.ok()) {
        spdlog::warn("job ledger: the cancellation of removed job {} stays: {}", id, s.message());
      }
    }
    // Best effort: an entry left behind is skipped by List, which finds no record for it.
    if (record.ok()) {
      for (const std::string& key : IndexKeys(*record)) {
        if (Status s = store_.Delete(key); !s.ok()) {
          spdlog::warn("job ledger: index entry {} of removed job {} stays: {}", key, id,
                       s.message());
        }
      }
    }
    return Status::Ok();
  }

  Result<JobPage> List(const JobQuery& query) override {
    auto cursor = CheckJobQuery(query);
    if (!cursor.ok()) return cursor.status();
    if (Status s = EnsureIndexed(); !s.ok()) return s.WithContext("indexing older job records");
    const std::string index = query.owner.empty()
                                  ? Under("index/newest/")
                                  : Under("index/owner/" + OwnerSegment(query.owner) + "/");
    const std::string after =
        *cursor ? index + IndexName((*cursor)->created_ms, (*cursor)->id) : std::string();
    // One entry more than a page (unfiltered): its presence says a next page exists.
    const size_t examine =
        query.state ? kMaxExaminedWithState : static_cast<size_t>(query.limit) + 1;
    auto listed = store_.ListAfter(index, after, examine);
    if (!listed.ok()) return listed.status().WithContext("listing jobs");
    // Fewer keys than asked for: the index ends in this listing.
    const bool index_goes_on = listed->size() == examine;
    std::vector<IndexEntry> entries;
    for (const ObjectInfo& info : *listed) {
      std::optional<IndexEntry> entry = ParseIndexName(info.key.substr(index.size()));
      if (entry) {
        entries.push_back(std::move(*entry));
      } else {
        spdlog::warn("job ledger: {} is not an index entry; skipped", store_.Location(info.key));
      }
    }
    const size_t to_read = std::min(
        entries.size(), query.state ? kMaxExaminedWithState : static_cast<size_t>(query.limit));
    std::vector<Result<JobRecord>> records = ReadJobs(entries, to_read);
    JobPage page;
    for (size_t i = 0; i < to_read; ++i) {
      Result<JobRecord>& record = records[i];
      if (record.status().IsNotFound() || record.status().code() == StatusCode::kDataLoss) {
        continue;  // half-created or removed (or damaged, which Read logged)
      }
      if (!record.ok()) return record.status().WithContext("listing jobs");
      if (std::max<int64_t>(record->created_ms, 0) != entries[i].created_ms) continue;
      if (!query.owner.empty() && record->owner != query.owner) continue;
      if (query.state && record->state != *query.state) continue;
      page.jobs.push_back(std::move(record).value());
      if (page.jobs.size() == static_cast<size_t>(query.limit)) {
        if (i + 1 < entries.size() || index_goes_on) {
          page.next_cursor = EncodeJobCursor(page.jobs.back().created_ms, page.jobs.back().id);
        }
        return page;
      }
    }
    // The page is short because this call's budget ran out, not the index: the next call goes on
    // from the last entry read.
    if (to_read > 0 && (to_read < entries.size() || index_goes_on)) {
      page.next_cursor = EncodeJobCursor(entries[to_read - 1].created_ms, entries[to_read - 1].id);
    }
    return page;
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
    if (Status s = WriteIndexed(record, encoded); !s.ok()) {
      (void)store_.Delete(claim);
      return s;
    }
    return CreateResult{record, true};
  }

  // The records of entries[0, count), read by up to kListReaders threads: on S3 each GET is a
  // round trip, and a page of 200 read one after another would take seconds.
  std::vector<Result<JobRecord>> ReadJobs(const std::vector<IndexEntry>& entries, size_t count) {
    std::vector<Result<JobRecord>> records(count, Status::Internal("not read"));
    std::atomic<size_t> next{0};
    auto read = [&] {
      for (size_t i = next++; i < count; i = next++) records[i] = ReadJob(entries[i].id, false);
    };
    std::vector<std::thread> readers;
    const size_t threads = std::min(kListReaders, count);
    for (size_t t = 1; t < threads; ++t) readers.emplace_back(read);
    read();
    for (std::thread& reader : readers) reader.join();
    return records;
  }

  // Records written before the index existed have no entries. The first List of each ledger
  // object looks for the marker <prefix>/index/complete (1 HEAD); without it, every record is
  // read once and indexed (a LIST per 1000 keys, a GET per record, its entries' PUTs), then
  // the marker is written. Records are "<id>.json" right under the prefix and ids use no
  // character above 'f', so the walk ends at the first key beyond that range ("idempotency/",
  // "index/", images beside the records).
  Status EnsureIndexed() {
    std::lock_guard lock(index_mu_);
    if (indexed_) return Status::Ok();
    const std::string marker = Under("index/complete");
    Result<ObjectInfo> head = store_.Head(marker);
    if (head.ok()) {
      indexed_ = true;
      return Status::Ok();
    }
    if (!head.status().IsNotFound()) return head.status();
    const std::string records = prefix_.empty() ? std::string() : prefix_ + "/";
    std::string after;
    size_t indexed = 0;
    for (bool more = true; more;) {
      auto listed = store_.ListAfter(records, after, kBackfillPage);
      if (!listed.ok()) return listed.status();
      more = listed->size() == kBackfillPage;
      for (const ObjectInfo& info : *listed) {
        after = info.key;
        std::string_view name = std::string_view(info.key).substr(records.size());
        if (name.empty() || name.front() > 'f') {
          more = false;
          break;
        }
        if (!name.ends_with(".json") || name.find('/') != std::string_view::npos) continue;
        std::string_view id = name.substr(0, name.size() - 5);
        if (!IsValidStoreLedgerId(id)) continue;
        Result<JobRecord> record = ReadJob(id);
        if (record.status().IsNotFound() || record.status().code() == StatusCode::kDataLoss) {
          continue;  // removed since, or damaged (logged)
        }
        if (!record.ok()) return record.status();
        for (const std::string& key : IndexKeys(*record)) {
          if (Status s = store_.Put(key, "", kIndexContentType); !s.ok()) return s;
        }
        ++indexed;
      }
    }
    if (Status s = store_.Put(marker, "", kIndexContentType); !s.ok()) return s;
    if (indexed > 0) spdlog::info("job ledger: indexed {} job records written before", indexed);
    indexed_ = true;
    return Status::Ok();
  }

  // The job's index entries, then its record: an entry without a record is skipped by List, a
  // record without its entries would be missing from it.
  Status WriteIndexed(const JobRecord& record, const std::string& encoded) {
    for (const std::string& key : IndexKeys(record)) {
      if (Status s = store_.Put(key, "", kIndexContentType); !s.ok()) {
        return s.WithContext("indexing job " + record.id);
      }
    }
    return Write(record.id, encoded);
  }

  std::vector<std::string> IndexKeys(const JobRecord& record) const {
    const std::string name = IndexName(record.created_ms, record.id);
    std::vector<std::string> keys = {Under("index/newest/" + name)};
    if (!record.owner.empty()) {
      keys.push_back(Under("index/owner/" + OwnerSegment(record.owner) + "/" + name));
    }
    return keys;
  }

  Status Write(std::string_view id, const std::string& encoded) {
    Status s = store_.Put(JobKey(id), encoded, kContentType);
    if (!s.ok()) return s.WithContext("recording job " + std::string(id));
    return Status::Ok();
  }

  // The job's record, which must name `id` itself, with its cancellation: looked for (one HEAD)
  // only while the job is not final, since nothing can cancel a finished job, and not by List
  // (`with_cancel` false: a page costs a GET per job, no more), which sees a cancelled queued job
  // by its record (RequestCancel rewrites it).
  Result<JobRecord> ReadJob(std::string_view id, bool with_cancel = true) {
    const std::string key = JobKey(id);
    Result<JobRecord> record = Read(key);
    if (record.status().IsNotFound()) return Status::NotFound("no job with id " + std::string(id));
    if (!record.ok()) return record;
    if (record->id != id) return Damaged(key, "holds the record of another job");
    if (with_cancel && !IsFinalJobState(record->state)) {
      Result<ObjectInfo> marker = store_.Head(CancelKey(id));
      if (marker.ok()) {
        record->cancel_requested = true;
      } else if (!marker.status().IsNotFound()) {
        return marker.status().WithContext("reading the cancellation of job " + std::string(id));
      }
    }
    return ApplyCancellation(std::move(record).value());
  }

  Status WriteCancelMarker(std::string_view id) {
    Status s = store_.Put(CancelKey(id), "", kIndexContentType);
    if (!s.ok()) return s.WithContext("cancelling job " + std::string(id));
    return Status::Ok();
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

  // Beyond 'f', like "idempotency/" and "index/": EnsureIndexed's walk of the records stops
  // before it.
  std::string CancelKey(std::string_view id) const {
    return Under("requests/cancel/" + std::string(id));
  }

  std::string ClaimKey(std::string_view idempotency_key) const {
    return Under("idempotency/" + Sha256Hex(idempotency_key) + ".json");
  }

  std::string Under(std::string name) const {
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }

  ObjectStore& store_;
  const std::string prefix_;
  std::mutex index_mu_;   // guards indexed_, and makes one List at a time run EnsureIndexed
  bool indexed_ = false;  // the marker was seen or written
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
  prefix = NormalizeKeyPrefix(prefix);
  if (!prefix.empty()) {
    if (Status s = ValidateObjectKey(prefix + "/idempotency/x.json"); !s.ok()) {
      return Status::InvalidArgument("the job ledger's prefix '" + prefix +
                                     "' cannot begin an object key: " + s.message());
    }
  }
  return std::unique_ptr<JobLedger>(std::make_unique<StoreLedger>(store, std::move(prefix)));
}

}  // namespace pictor
