// The store ledger's job records (src/ledger/store/job_record_json): the JSON objects kept in a
// directory or an S3 bucket, which anyone with write access to the bucket can change. The input
// is read as a stored record, and also made into a record (fields cut at NUL bytes) to encode.
// Invariants: a record read re-encodes to JSON that reads back as the same record; any record,
// invalid UTF-8 included, encodes to JSON that reads back (text repaired with U+FFFD); reading
// never throws and fails only with DataLoss.
#include <string>

#include "core/utf8.h"
#include "fuzz_check.h"
#include "ledger/store/job_record_json.h"

namespace ls = pictor::ledger_store;

namespace {

bool Same(const pictor::JobRecord& a, const pictor::JobRecord& b) {
  return a.id == b.id && a.state == b.state && a.prompt == b.prompt && a.seed == b.seed &&
         a.width == b.width && a.height == b.height && a.key == b.key && a.error == b.error &&
         a.attempts == b.attempts && a.created_ms == b.created_ms && a.updated_ms == b.updated_ms &&
         a.idempotency_key == b.idempotency_key && a.request_digest == b.request_digest &&
         a.enqueued == b.enqueued && a.owner == b.owner && a.model == b.model &&
         a.cost_usd == b.cost_usd;
}

int64_t Int64(pictor::fuzz::Cursor& in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | in.Byte();
  return static_cast<int64_t>(v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);
  pictor::Result<pictor::JobRecord> read = ls::DecodeJobRecord(text);
  if (read.ok()) {
    const std::string encoded = ls::EncodeJobRecord(*read);
    pictor::Result<pictor::JobRecord> again = ls::DecodeJobRecord(encoded);
    FUZZ_CHECK(again.ok() && Same(*again, *read));
    FUZZ_CHECK(ls::EncodeJobRecord(*again) == encoded);
  } else {
    FUZZ_CHECK(read.status().code() == pictor::StatusCode::kDataLoss);
  }

  pictor::fuzz::Cursor in(text);
  pictor::JobRecord made;
  made.state = static_cast<pictor::JobState>(in.Byte() % 4);
  made.seed = static_cast<uint32_t>(Int64(in));
  made.width = static_cast<int>(in.Byte()) * 8 + 8;
  made.height = static_cast<int>(in.Byte()) * 8 + 8;
  made.attempts = in.Byte();
  made.created_ms = Int64(in) & 0x0000ffffffffffff;
  made.updated_ms = Int64(in) & 0x0000ffffffffffff;
  made.id = std::string(in.Until('\0'));
  made.prompt = std::string(in.Until('\0'));
  made.key = std::string(in.Until('\0'));
  made.error = std::string(in.Until('\0'));
  made.idempotency_key = std::string(in.Until('\0'));
  made.request_digest = std::string(in.Rest());
  pictor::Result<pictor::JobRecord> back = ls::DecodeJobRecord(ls::EncodeJobRecord(made));
  FUZZ_CHECK(back.ok());
  if (pictor::IsValidUtf8(made.prompt)) FUZZ_CHECK(back->prompt == made.prompt);
  FUZZ_CHECK(pictor::IsValidUtf8(back->prompt));
  FUZZ_CHECK(back->state == made.state && back->seed == made.seed && back->width == made.width &&
             back->attempts == made.attempts && back->created_ms == made.created_ms);
  return 0;
}
