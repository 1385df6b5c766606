// The certificate and private key an HTTPS server presents, read from two PEM files and
// reloadable in place. Each accepted connection takes the context current at its accept and
// keeps it for its whole life, so a reload changes what new connections see and never touches
// an open one.
//
// Protocol policy (fixed, not configurable): TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key
// exchange with an AEAD cipher (AES-GCM, ChaCha20-Poly1305), for TLS 1.3 its three standard
// suites; no compression, no renegotiation; ALPN answers "http/1.1" when offered.
#ifndef PICTOR_HTTP_TLS_SERVER_CONTEXT_H_
#define PICTOR_HTTP_TLS_SERVER_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "pictor/status.h"

namespace pictor::http {

// What a loaded certificate is, for logs: never the key.
struct TlsCertificateSummary {
  std::string subject;             // "CN=img.example.com"
  std::string not_after;           // "2027-03-01 12:00:00 UTC"
  std::string sha256_fingerprint;  // "AB:CD:..." as `openssl x509 -fingerprint -sha256` prints
  std::string ToString() const;    // "CN=..., valid until ..., SHA-256 AB:CD:..."
};

// Thread-safety: thread-safe. Current() is called by the server's event-loop threads while
// Reload() runs on another.
class TlsServerContext {
 public:
  // Reads and checks the pair. InvalidArgument, naming the file and what is wrong with it, when
  // a file is missing or unreadable, holds no PEM certificate or key, holds a key protected by
  // a passphrase (no prompt is ever shown), when the key does not belong to the certificate,
  // or when the certificate has expired.
  static Result<std::shared_ptr<TlsServerContext>> Load(std::string cert_file,
                                                        std::string key_file);

  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // Reads both files again. On success new connections get the new pair; on failure (the same
  // errors as Load) nothing changes and the old pair goes on being served.
  Status Reload();

  // The context for a connection accepted now. Never null.
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // The certificate Current() presents.
  TlsCertificateSummary Summary() const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  struct Loaded {
    std::shared_ptr<boost::asio::ssl::context> context;
    TlsCertificateSummary summary;
  };

  TlsServerContext(std::string cert_file, std::string key_file, Loaded loaded);
  static Result<Loaded> Build(const std::string& cert_file, const std::string& key_file,
                              std::chrono::system_clock::time_point now);

  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex current_mutex_;  // guards current_
  Loaded current_;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_TLS_SERVER_CONTEXT_H_
