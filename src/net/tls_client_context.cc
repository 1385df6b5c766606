#include "net/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <exception>
#include <filesystem>

namespace pictor::net {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* kWellKnownBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",    // Amazon Linux, RHEL, Fedora
    "/etc/ssl/cert.pem",                   // Alpine, the BSDs
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The newest OpenSSL error on this thread, in words, and the queue cleared.
std::string OpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace

Result<TlsClientContext> NewTlsClientContext() {
  TlsClientContext out;
  try {
    out.context = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot create a TLS context: ") + e.what());
  }
  SSL_CTX* ctx = out.context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);

  const std::string file = Env("SSL_CERT_FILE");
  const std::string dir = Env("SSL_CERT_DIR");
  if (!file.empty() || !dir.empty()) {
    if (!file.empty() && SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1) {
      std::string message = "cannot load CA certificates from SSL_CERT_FILE=";
      message += file;
      message += ": ";
      message += OpenSslError();
      return Status::InvalidArgument(std::move(message));
    }
    // SSL_CERT_DIR may list several directories, separated by ':'; OpenSSL reads them lazily,
    // so only a load error shows here.
    if (!dir.empty() && SSL_CTX_load_verify_locations(ctx, nullptr, dir.c_str()) != 1) {
      std::string message = "cannot use CA certificates in SSL_CERT_DIR=";
      message += dir;
      message += ": ";
      message += OpenSslError();
      return Status::InvalidArgument(std::move(message));
    }
    if (!file.empty()) out.trust_source = "SSL_CERT_FILE=" + file;
    if (!file.empty() && !dir.empty()) out.trust_source += " and ";
    if (!dir.empty()) out.trust_source += "SSL_CERT_DIR=" + dir;
    return out;
  }
  for (const char* bundle : kWellKnownBundles) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(bundle, ec)) continue;
    if (SSL_CTX_load_verify_locations(ctx, bundle, nullptr) == 1) {
      out.trust_source = bundle;
      return out;
    }
    ERR_clear_error();
  }
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return Status::Internal("cannot use OpenSSL's default CA paths: " + OpenSslError());
  }
  out.trust_source = "OpenSSL's default CA paths";
  return out;
}

}  // namespace pictor::net
