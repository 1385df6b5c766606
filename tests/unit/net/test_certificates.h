// Test helper: a throwaway certificate authority and server certificates it signs, made with
// OpenSSL in memory (P-256 keys, valid from an hour ago for a day).
#ifndef PICTOR_TESTS_UNIT_NET_TEST_CERTIFICATES_H_
#define PICTOR_TESTS_UNIT_NET_TEST_CERTIFICATES_H_

#include <memory>
#include <string>
#include <vector>

#include "test_http_server.h"

namespace pictor::net::testing {

class TestCertificateAuthority {
 public:
  TestCertificateAuthority();
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  // The CA certificate, PEM: what a client trusts.
  const std::string& certificate_pem() const { return certificate_pem_; }

  // A server identity for the given subject alternative names ("DNS:localhost",
  // "IP:127.0.0.1"), signed by this CA.
  TlsIdentity Issue(const std::vector<std::string>& subject_alt_names) const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::string certificate_pem_;
};

}  // namespace pictor::net::testing

#endif  // PICTOR_TESTS_UNIT_NET_TEST_CERTIFICATES_H_
