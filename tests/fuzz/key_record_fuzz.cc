// The store key store's records (src/keys/store/key_record_json) and the key-material checks
// beside them (core/api_key.h): the JSON objects kept under <prefix>/keys/ in a directory or an S3
// bucket, which anyone with write access to the bucket can change, and the key text an
// authenticator is handed in every request's Authorization header.
// Invariants: a record read re-encodes to JSON that reads back as the same record and the same
// bytes; a record read passes ValidateApiKeyRecord; reading never throws and fails only with
// DataLoss; a text LooksLikeApiKey accepts has a key's length and prefix; a budget list read
// formats back to text that reads as the same list.
#include <string>
#include <vector>

#include "core/api_key.h"
#include "fuzz_check.h"
#include "keys/store/key_record_json.h"

namespace ks = pictor::keys_store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = pictor::fuzz::AsText(data, size);
  pictor::Result<pictor::ApiKeyRecord> read = ks::DecodeKeyRecord(text);
  if (read.ok()) {
    FUZZ_CHECK(pictor::ValidateApiKeyRecord(*read).ok());
    const std::string encoded = ks::EncodeKeyRecord(*read);
    pictor::Result<pictor::ApiKeyRecord> again = ks::DecodeKeyRecord(encoded);
    FUZZ_CHECK(again.ok() && *again == *read);
    FUZZ_CHECK(ks::EncodeKeyRecord(*again) == encoded);
  } else {
    FUZZ_CHECK(read.status().code() == pictor::StatusCode::kDataLoss);
  }

  if (pictor::LooksLikeApiKey(text)) {
    FUZZ_CHECK(text.size() == pictor::kApiKeyLength && text.starts_with(pictor::kApiKeyPrefix));
  }

  pictor::Result<std::vector<pictor::Budget>> budgets = pictor::ParseBudgetList(text);
  if (budgets.ok()) {
    pictor::Result<std::vector<pictor::Budget>> back =
        pictor::ParseBudgetList(pictor::FormatBudgetList(*budgets));
    FUZZ_CHECK(back.ok() && *back == *budgets);
  } else {
    FUZZ_CHECK(budgets.status().IsInvalidArgument());
  }
  return 0;
}
