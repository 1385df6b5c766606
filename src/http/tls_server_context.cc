#include "http/tls_server_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <iterator>
#include <utility>

namespace pictor::http {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2: forward-secret key exchange (ECDHE) with an AEAD cipher only; no CBC, no RSA key
// exchange, no SHA-1 MACs. TLS 1.3: its three standard suites (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
// A certificate chain or key is a few kilobytes; anything this large is not one.
constexpr std::streamsize kMaxPemBytes = 1024 * 1024;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// The newest OpenSSL error on this thread, in words, and the queue cleared.
std::string OpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

// A passphrase-protected key would otherwise make OpenSSL prompt on the terminal, which a
// server (and a reload from a signal) must never do: refusing here fails the read instead.
int RefusePassphrase(char*, int, int, void*) { return 0; }

// Answers ALPN with "http/1.1" when the client offers it, and with nothing otherwise (the
// client then speaks HTTP/1.1 by default, or gives up if it insists on h2).
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof kHttp11, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<std::string> ReadPem(const char* flag, const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return Status::InvalidArgument(std::string("cannot read ") + flag + " " + path + ": " +
                                   (error != 0 ? std::strerror(error) : "cannot open"));
  }
  std::string text;
  text.resize(static_cast<size_t>(kMaxPemBytes) + 1);
  in.read(text.data(), kMaxPemBytes + 1);
  if (in.bad()) {
    return Status::InvalidArgument(std::string("cannot read ") + flag + " " + path);
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<std::streamsize>(text.size()) > kMaxPemBytes) {
    return Status::InvalidArgument(std::string(flag) + " " + path +
                                   " is larger than 1 MiB: not a PEM certificate or key");
  }
  return text;
}

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string Subject(X509* certificate) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out) return {};
  X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

std::string NotAfter(X509* certificate) {
  std::tm t{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &t) != 1) return "an unreadable date";
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &t);
  return text;
}

std::string Fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return {};
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", digest[i]);
    out += hex;
  }
  return out;
}

// Applies the protocol policy of the header comment to a fresh server context.
Status ApplyPolicy(SSL_CTX* ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Idle keep-alive connections give their read and write buffers back (about 34 KiB each).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return Status::Internal("cannot apply the TLS protocol policy: " + OpenSslError());
  }
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
  return Status::Ok();
}

}  // namespace

std::string TlsCertificateSummary::ToString() const {
  return (subject.empty() ? std::string("a certificate without subject") : subject) +
         ", valid until " + not_after + ", SHA-256 " + sha256_fingerprint;
}

Result<TlsServerContext::Loaded> TlsServerContext::Build(
    const std::string& cert_file, const std::string& key_file,
    std::chrono::system_clock::time_point now) {
  ERR_clear_error();
  auto cert_text = ReadPem("--tls-cert", cert_file);
  if (!cert_text.ok()) return cert_text.status();
  auto key_text = ReadPem("--tls-key", key_file);
  if (!key_text.ok()) return key_text.status();

  Loaded out;
  try {
    out.context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot create a TLS context: ") + e.what());
  }
  SSL_CTX* ctx = out.context->native_handle();
  if (Status s = ApplyPolicy(ctx); !s.ok()) return s;

  // The first certificate is the server's own; any that follow are its chain, sent as given.
  BioPtr cert_bio = MemoryBio(*cert_text);
  X509Ptr leaf(cert_bio ? PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, RefusePassphrase, nullptr)
                        : nullptr);
  if (!leaf) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-cert " + cert_file + " holds no PEM certificate");
  }
  for (;;) {
    X509Ptr intermediate(PEM_read_bio_X509(cert_bio.get(), nullptr, RefusePassphrase, nullptr));
    if (!intermediate) break;
    if (SSL_CTX_add0_chain_cert(ctx, intermediate.get()) != 1) {
      return Status::InvalidArgument("--tls-cert " + cert_file +
                                     ": cannot use a chain certificate: " + OpenSslError());
    }
    intermediate.release();  // the context owns it now
  }
  ERR_clear_error();  // the loop ends on "no start line"
  const std::time_t now_t = std::chrono::system_clock::to_time_t(now);
  if (X509_cmp_time(X509_get0_notAfter(leaf.get()), const_cast<std::time_t*>(&now_t)) < 0) {
    return Status::InvalidArgument("--tls-cert " + cert_file + " expired on " +
                                   NotAfter(leaf.get()));
  }

  if (key_text->find("ENCRYPTED") != std::string::npos) {
    return Status::InvalidArgument("--tls-key " + key_file +
                                   " is protected by a passphrase; give the key unencrypted "
                                   "(readable by this process only)");
  }
  BioPtr key_bio = MemoryBio(*key_text);
  KeyPtr key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, RefusePassphrase, nullptr)
                     : nullptr);
  if (!key) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key " + key_file + " holds no PEM private key");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the key in --tls-key " + key_file +
                                   " does not belong to the certificate in --tls-cert " +
                                   cert_file);
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("cannot use --tls-cert " + cert_file + " with --tls-key " +
                                   key_file + ": " + OpenSslError());
  }
  out.summary.subject = Subject(leaf.get());
  out.summary.not_after = NotAfter(leaf.get());
  out.summary.sha256_fingerprint = Fingerprint(leaf.get());
  return out;
}

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::Load(std::string cert_file,
                                                                 std::string key_file) {
  auto loaded = Build(cert_file, key_file, std::chrono::system_clock::now());
  if (!loaded.ok()) return loaded.status();
  return std::shared_ptr<TlsServerContext>(
      new TlsServerContext(std::move(cert_file), std::move(key_file), std::move(loaded).value()));
}

TlsServerContext::TlsServerContext(std::string cert_file, std::string key_file, Loaded loaded)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      current_(std::move(loaded)) {}

Status TlsServerContext::Reload() {
  auto loaded = Build(cert_file_, key_file_, std::chrono::system_clock::now());
  if (!loaded.ok()) return loaded.status();
  std::lock_guard lock(current_mutex_);
  current_ = std::move(loaded).value();
  return Status::Ok();
}

std::shared_ptr<ssl::context> TlsServerContext::Current() const {
  std::lock_guard lock(current_mutex_);
  return current_.context;
}

TlsCertificateSummary TlsServerContext::Summary() const {
  std::lock_guard lock(current_mutex_);
  return current_.summary;
}

}  // namespace pictor::http
