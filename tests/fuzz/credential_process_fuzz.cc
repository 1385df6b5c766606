// credential_process as src/aws/credential_process reads it: the command line's split into words
// and the program's JSON answer. The first byte picks which.
// Invariants: a split command has at least one word and no word longer than the command; an
// accepted answer has an access key id and a secret; no error message quotes a secret key the
// answer carried.
#include <string>

#include "aws/credential_process.h"
#include "fuzz_check.h"

namespace aws = pictor::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t action = in.Byte() % 2;
  std::string_view text = in.Rest();
  if (action == 0) {
    pictor::Result<std::vector<std::string>> words = aws::SplitCommandLine(text);
    if (words.ok()) {
      FUZZ_CHECK(!words->empty());
      for (const std::string& word : *words) FUZZ_CHECK(word.size() <= text.size());
    }
    return 0;
  }
  pictor::Result<aws::TimedCredentials> found = aws::ReadProcessCredentials(text, "fuzz");
  if (found.ok()) {
    FUZZ_CHECK(!found->credentials.access_key_id.empty());
    FUZZ_CHECK(!found->credentials.secret_access_key.empty());
  } else {
    const std::string marker = "SECRETMARKER";
    if (text.find(marker) != std::string_view::npos) {
      FUZZ_CHECK(found.status().message().find(marker) == std::string::npos);
    }
  }
  return 0;
}
