// The TLS client context every outgoing TLS connection starts from (HTTPS to AWS and webhooks,
// SMTP): TLS 1.2 or newer, the server's certificate verified against a CA set chosen the way
// OpenSSL-based tools on Linux choose it. The name to check is per connection: callers set SNI
// and the expected host name on each stream.
#ifndef PICTOR_NET_TLS_CLIENT_CONTEXT_H_
#define PICTOR_NET_TLS_CLIENT_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "pictor/status.h"

namespace pictor::net {

struct TlsClientContext {
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
// Amazon Linux and RHEL, /etc/ssl/cert.pem on Alpine and the BSDs); else OpenSSL's compiled-in
// default paths, which need not exist where Pictor runs.
//
// InvalidArgument when SSL_CERT_FILE or SSL_CERT_DIR is set but cannot be loaded, so that a
// misconfiguration shows as what it is rather than as failed handshakes. Loading a bundle costs
// a few milliseconds and some hundred KiB: make the context when TLS is first needed.
Result<TlsClientContext> NewTlsClientContext();

}  // namespace pictor::net

#endif  // PICTOR_NET_TLS_CLIENT_CONTEXT_H_
