// STS answers as src/aws/sts reads them: a 2xx answer's <Credentials>, and a refusal's
// translation to a Status. The first byte picks which; for a refusal the second byte picks the
// HTTP status, and the text up to the first NUL is a secret the caller sent (a web identity
// token), then the answer.
// Invariants: accepted credentials have every field set and an expiration; a refusal is never
// OK, carries the HTTP status as its peer's, and its message never holds the secret; XML
// unescaping never grows the text.
#include <string>

#include "aws/sts.h"
#include "aws/xml_text.h"
#include "fuzz_check.h"

namespace aws = pictor::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::fuzz::Cursor in(pictor::fuzz::AsText(data, size));
  const uint8_t action = in.Byte() % 2;
  if (action == 0) {
    std::string_view xml = in.Rest();
    FUZZ_CHECK(aws::XmlUnescape(xml).size() <= xml.size());
    pictor::Result<aws::TimedCredentials> found = aws::ReadStsCredentials(xml, "fuzz");
    if (found.ok()) {
      FUZZ_CHECK(!found->credentials.access_key_id.empty());
      FUZZ_CHECK(!found->credentials.secret_access_key.empty());
      FUZZ_CHECK(!found->credentials.session_token.empty());
      FUZZ_CHECK(found->expiration.has_value());
    }
    return 0;
  }
  static constexpr long kStatuses[] = {400, 401, 403, 404, 408, 429, 500, 503};
  pictor::net::HttpReply reply;
  reply.status = kStatuses[in.Byte() % 8];
  const std::string secret = "secret:" + std::string(in.Until('\0'));
  reply.body = std::string(in.Rest());
  pictor::Status status = aws::StsStatus(reply, "STS AssumeRoleWithWebIdentity", {secret});
  FUZZ_CHECK(!status.ok());
  FUZZ_CHECK(status.peer_http_status() == reply.status);
  FUZZ_CHECK(status.message().find(secret) == std::string::npos);
  return 0;
}
