#include "test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <stdexcept>

namespace pictor::net::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificates: ") + what);
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  Check(key != nullptr, "cannot generate a key");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "cannot add an extension");
  X509_EXTENSION_free(ext);
}

// An unsigned certificate for `key` named `common_name`, issued by `issuer` (by itself when
// `issuer` is nullptr).
Certificate NewCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer) {
  static std::atomic<long> serial{1};
  Certificate cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return cert;
}

std::string Pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "cannot write a certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "cannot write a key");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

struct TestCertificateAuthority::Keys {
  Key key = NewKey();
  Certificate cert{nullptr, &X509_free};
};

TestCertificateAuthority::TestCertificateAuthority() : keys_(std::make_unique<Keys>()) {
  keys_->cert = NewCertificate(keys_->key.get(), "Pictor Test CA", nullptr);
  X509* cert = keys_->cert.get();
  AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert, cert, NID_subject_key_identifier, "hash");
  Check(X509_sign(cert, keys_->key.get(), EVP_sha256()) > 0, "cannot sign the CA");
  certificate_pem_ = Pem(cert);
}

TestCertificateAuthority::~TestCertificateAuthority() = default;

TlsIdentity TestCertificateAuthority::Issue(
    const std::vector<std::string>& subject_alt_names) const {
  Key key = NewKey();
  Certificate cert = NewCertificate(key.get(), "Pictor Test Server", keys_->cert.get());
  std::string names;
  for (const std::string& name : subject_alt_names) names += (names.empty() ? "" : ",") + name;
  AddExtension(cert.get(), keys_->cert.get(), NID_subject_alt_name, names);
  AddExtension(cert.get(), keys_->cert.get(), NID_basic_constraints, "CA:FALSE");
  AddExtension(cert.get(), keys_->cert.get(), NID_key_usage, "critical,digitalSignature");
  AddExtension(cert.get(), keys_->cert.get(), NID_ext_key_usage, "serverAuth");
  AddExtension(cert.get(), keys_->cert.get(), NID_authority_key_identifier, "keyid");
  Check(X509_sign(cert.get(), keys_->key.get(), EVP_sha256()) > 0, "cannot sign a certificate");
  return {Pem(cert.get()), Pem(key.get())};
}

}  // namespace pictor::net::testing
