// The TLS client context of the SMTP notifier: TLS 1.2 or newer, the server's certificate
// verified against a CA set chosen the way OpenSSL-based tools on Linux choose it.
#ifndef PICTOR_NOTIFY_SMTP_SMTP_TLS_CONTEXT_H_
#define PICTOR_NOTIFY_SMTP_SMTP_TLS_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "pictor/status.h"

namespace pictor::notify {

struct SmtpTlsContext {
  // Immutable once built; shared by concurrent connections (OpenSSL allows that of an SSL_CTX
  // that is no longer being configured).
  std::shared_ptr<boost::asio::ssl::context> context;
  // Where the CA certificates came from ("SSL_CERT_FILE=/tmp/ca.pem",
  // "/etc/ssl/certs/ca-certificates.crt"), for messages that explain an untrusted certificate.
  std::string trust_source;
};

// CA certificates come from SSL_CERT_FILE and/or SSL_CERT_DIR when either is set (Lambda and
// container images point them at their bundle); else from the first well-known bundle that
// exists (/etc/ssl/certs/ca-certificates.crt on Debian, /etc/pki/tls/certs/ca-bundle.crt on
// Amazon Linux and RHEL); else OpenSSL's compiled-in default paths. Only peer verification is
// set here: the name to check is per connection (see SmtpConnection::StartTls).
//
// InvalidArgument when SSL_CERT_FILE or SSL_CERT_DIR is set but cannot be loaded, so that a
// misconfiguration shows at start-up rather than as failed deliveries.
Result<SmtpTlsContext> NewSmtpTlsContext();

}  // namespace pictor::notify

#endif  // PICTOR_NOTIFY_SMTP_SMTP_TLS_CONTEXT_H_
