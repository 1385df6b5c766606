#include "core/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "core/hex.h"

namespace pictor {
namespace {

std::string Bytes(size_t count, char value) { return std::string(count, value); }

TEST(Sha256Test, HashesTheEmptyString) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, HashesAbc) {  // FIPS 180-2 example
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, HashesTwoBlockMessage) {  // FIPS 180-2 example
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, RawDigestIs32Bytes) { EXPECT_EQ(Sha256("abc").size(), 32u); }

TEST(HmacSha256Test, MatchesRfc4231Case1) {
  EXPECT_EQ(HexEncode(HmacSha256(Bytes(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256Test, MatchesRfc4231Case2ShortKey) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, MatchesRfc4231Case3RepeatedBytes) {
  EXPECT_EQ(HexEncode(HmacSha256(Bytes(20, '\xaa'), Bytes(50, '\xdd'))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(HmacSha256Test, MatchesRfc4231Case6KeyLongerThanBlock) {
  EXPECT_EQ(HexEncode(HmacSha256(Bytes(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// RFC 1321's test suite: the digests SQS's MD5OfMessageBody and the stores' ETags are compared to.
TEST(Md5Test, MatchesRfc1321Suite) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(
      Md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
      "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, RawDigestIs16BytesOfTheHex) {
  EXPECT_EQ(Md5("abc").size(), 16u);
  EXPECT_EQ(HexEncode(Md5("abc")), Md5Hex("abc"));
}

}  // namespace
}  // namespace pictor
