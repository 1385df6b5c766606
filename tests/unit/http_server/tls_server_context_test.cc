// TlsServerContext: what it accepts, how it says what is wrong with a file, and that a failed
// reload leaves the served pair alone. Certificates are made by the `openssl` command.
#include "http/tls_server_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tls_test_support.h"

namespace pictor::http {
namespace {

using testing::MakeCertificate;
using testing::OpenSslFingerprint;
using testing::ReadWholeFile;
using testing::ReplaceFile;
using testing::RunQuiet;
using testing::ScratchDir;

class TlsServerContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeCertificate(dir_ / "a.crt", dir_ / "a.key", "pictor-a"))
        << ReadWholeFile(dir_ / "a.crt.log");
  }
  ScratchDir dir_;
};

// Writes a self-signed certificate whose validity ended yesterday (the openssl command of
// Debian 12 cannot back-date one), with its key.
bool MakeExpiredCertificate(const std::string& cert, const std::string& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x509 = X509_new();
  bool ok = pkey != nullptr && x509 != nullptr;
  if (ok) {
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 7);
    X509_gmtime_adj(X509_getm_notBefore(x509), -2 * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x509), -86400);
    X509_set_pubkey(x509, pkey);
    X509_NAME* name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("expired"), -1, -1, 0);
    X509_set_issuer_name(x509, name);
    ok = X509_sign(x509, pkey, EVP_sha256()) > 0;
  }
  FILE* cert_out = ok ? std::fopen(cert.c_str(), "w") : nullptr;
  FILE* key_out = ok ? std::fopen(key.c_str(), "w") : nullptr;
  ok = cert_out != nullptr && key_out != nullptr && PEM_write_X509(cert_out, x509) == 1 &&
       PEM_write_PrivateKey(key_out, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (cert_out != nullptr) std::fclose(cert_out);
  if (key_out != nullptr) std::fclose(key_out);
  X509_free(x509);
  EVP_PKEY_free(pkey);
  return ok;
}

TEST_F(TlsServerContextTest, LoadsAPairAndSummarisesTheCertificateWithoutTheKey) {
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "a.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  TlsCertificateSummary summary = (*loaded)->Summary();
  EXPECT_EQ(summary.subject, "CN=pictor-a");
  EXPECT_EQ(summary.sha256_fingerprint, OpenSslFingerprint(dir_ / "a.crt"));
  EXPECT_NE(summary.not_after.find("UTC"), std::string::npos) << summary.not_after;
  EXPECT_NE((*loaded)->Current(), nullptr);
  EXPECT_EQ(summary.ToString().find("PRIVATE"), std::string::npos);
}

TEST_F(TlsServerContextTest, MissingCertificateFileIsNamed) {
  auto loaded = TlsServerContext::Load(dir_ / "none.crt", dir_ / "a.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsInvalidArgument());
  EXPECT_EQ(loaded.status().message(),
            "cannot read --tls-cert " + (dir_ / "none.crt") + ": No such file or directory");
}

TEST_F(TlsServerContextTest, MissingKeyFileIsNamed) {
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "none.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            "cannot read --tls-key " + (dir_ / "none.key") + ": No such file or directory");
}

TEST_F(TlsServerContextTest, AFileThatIsNotPemIsRefused) {
  ASSERT_TRUE(ReplaceFile(dir_ / "junk.crt", "not a certificate\n"));
  auto cert = TlsServerContext::Load(dir_ / "junk.crt", dir_ / "a.key");
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.status().message(),
            "--tls-cert " + (dir_ / "junk.crt") + " holds no PEM certificate");
  // A certificate where the key should be is not a key either.
  auto key = TlsServerContext::Load(dir_ / "a.crt", dir_ / "a.crt");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(), "--tls-key " + (dir_ / "a.crt") + " holds no PEM private key");
}

TEST_F(TlsServerContextTest, KeyOfAnotherCertificateIsRefused) {
  ASSERT_TRUE(MakeCertificate(dir_ / "b.crt", dir_ / "b.key", "pictor-b"));
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "b.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), "the key in --tls-key " + (dir_ / "b.key") +
                                           " does not belong to the certificate in --tls-cert " +
                                           (dir_ / "a.crt"));
}

TEST_F(TlsServerContextTest, RsaCertificateWithRsaKeyLoads) {
  ASSERT_TRUE(RunQuiet("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=rsa -keyout " +
                           (dir_ / "rsa.key") + " -out " + (dir_ / "rsa.crt"),
                       dir_ / "rsa.log"))
      << ReadWholeFile(dir_ / "rsa.log");
  auto loaded = TlsServerContext::Load(dir_ / "rsa.crt", dir_ / "rsa.key");
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
}

// OpenSSL would prompt on the terminal for the passphrase; the server must refuse instead.
TEST_F(TlsServerContextTest, PassphraseProtectedKeyIsRefusedWithoutPrompting) {
  ASSERT_TRUE(RunQuiet("openssl pkey -in " + (dir_ / "a.key") +
                           " -aes256 -passout pass:secret -out " + (dir_ / "locked.key"),
                       dir_ / "locked.log"))
      << ReadWholeFile(dir_ / "locked.log");
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "locked.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("is protected by a passphrase"), std::string::npos)
      << loaded.status().message();
}

TEST_F(TlsServerContextTest, ExpiredCertificateIsRefusedWithItsDate) {
  ASSERT_TRUE(MakeExpiredCertificate(dir_ / "old.crt", dir_ / "old.key"));
  auto loaded = TlsServerContext::Load(dir_ / "old.crt", dir_ / "old.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(" expired on "), std::string::npos)
      << loaded.status().message();
}

TEST_F(TlsServerContextTest, ReloadServesTheNewPairFromTheSamePaths) {
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "a.key");
  ASSERT_TRUE(loaded.ok());
  TlsServerContext& tls = **loaded;
  auto before = tls.Current();
  ASSERT_TRUE(MakeCertificate(dir_ / "b.crt", dir_ / "b.key", "pictor-b"));
  ASSERT_TRUE(ReplaceFile(dir_ / "a.crt", ReadWholeFile(dir_ / "b.crt")));
  ASSERT_TRUE(ReplaceFile(dir_ / "a.key", ReadWholeFile(dir_ / "b.key")));
  ASSERT_TRUE(tls.Reload().ok());
  EXPECT_NE(tls.Current(), before);
  EXPECT_EQ(tls.Summary().subject, "CN=pictor-b");
  EXPECT_EQ(tls.Summary().sha256_fingerprint, OpenSslFingerprint(dir_ / "b.crt"));
}

TEST_F(TlsServerContextTest, FailedReloadKeepsServingTheOldPair) {
  auto loaded = TlsServerContext::Load(dir_ / "a.crt", dir_ / "a.key");
  ASSERT_TRUE(loaded.ok());
  TlsServerContext& tls = **loaded;
  auto before = tls.Current();
  const std::string fingerprint = tls.Summary().sha256_fingerprint;
  // A new certificate whose key was not deployed with it: the commonest botched renewal.
  ASSERT_TRUE(MakeCertificate(dir_ / "b.crt", dir_ / "b.key", "pictor-b"));
  ASSERT_TRUE(ReplaceFile(dir_ / "a.crt", ReadWholeFile(dir_ / "b.crt")));
  Status mismatched = tls.Reload();
  EXPECT_NE(mismatched.message().find("does not belong to the certificate"), std::string::npos)
      << mismatched.ToString();
  ASSERT_TRUE(std::remove((dir_ / "a.key").c_str()) == 0);
  Status missing = tls.Reload();
  EXPECT_NE(missing.message().find("No such file or directory"), std::string::npos)
      << missing.ToString();
  EXPECT_EQ(tls.Current(), before);
  EXPECT_EQ(tls.Summary().sha256_fingerprint, fingerprint);
}

}  // namespace
}  // namespace pictor::http
