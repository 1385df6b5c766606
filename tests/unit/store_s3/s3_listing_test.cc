// Reading S3 replies: the XML reader, ListObjectsV2 pages and S3's two date formats.
#include "store/s3/s3_listing.h"

#include <gtest/gtest.h>

#include "store/s3/s3_xml.h"

namespace pictor::s3 {
namespace {

constexpr const char* kTruncatedPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>tb</Name>
  <Prefix></Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>YSBiL8O8Kz1+LnR4dA==</NextContinuationToken>
  <Contents><Key>a b/&#xFC;+=~&amp;.txt</Key><Size>3</Size><ETag>&quot;764efa88&quot;</ETag><LastModified>2026-11-27T05:51:54.638Z</LastModified><StorageClass>STANDARD</StorageClass></Contents>
  <Contents>
    <Key>x</Key><LastModified>1970-01-01T00:00:01.000Z</LastModified>
    <ETag>"abc"</ETag><Size>18446744073709551615</Size><Owner><ID>o</ID></Owner>
  </Contents>
</ListBucketResult>)";

TEST(ParseListObjectsV2, ReadsEntriesTokenAndTruncation) {
  auto page = ParseListObjectsV2(kTruncatedPage);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "YSBiL8O8Kz1+LnR4dA==");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "a b/\xC3\xBC+=~&.txt");
  EXPECT_EQ(page->objects[0].size, 3u);
  EXPECT_EQ(page->objects[0].etag, "\"764efa88\"");
  EXPECT_EQ(page->objects[0].last_modified_ms, 1795758714638);
  EXPECT_EQ(page->objects[1].key, "x");
  EXPECT_EQ(page->objects[1].size, 18446744073709551615u);
  EXPECT_EQ(page->objects[1].last_modified_ms, 1000);
}

TEST(ParseListObjectsV2, ReadsAnEmptyLastPage) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><Name>tb</Name><Prefix>zz</Prefix><KeyCount>0</KeyCount>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_FALSE(page->truncated);
  EXPECT_TRUE(page->objects.empty());
}

TEST(ParseListObjectsV2, TruncatedWithoutTokenIsInternal) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>true</IsTruncated>"
      "</ListBucketResult>");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInternal);
}

TEST(ParseListObjectsV2, AnErrorDocumentIsInternal) {
  auto page = ParseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInternal);
}

TEST(ParseListObjectsV2, AnUnreadableSizeIsInternal) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>");
  EXPECT_EQ(page.status().code(), StatusCode::kInternal);
}

TEST(ParseXml, ReadsCdataCommentsAttributesAndPrefixedNames) {
  auto root = ParseXml(
      "<?xml version='1.0'?><!-- c --><s3:R a='x>y' b=\"/\"><K><![CDATA[<&>]]></K>"
      "<E/><!-- skipped --><N>&#65;&#x42;&lt;</N></s3:R>");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->name, "R");
  EXPECT_EQ(root->ChildText("K"), "<&>");
  ASSERT_NE(root->Child("E"), nullptr);
  EXPECT_EQ(root->ChildText("N"), "AB<");
  EXPECT_EQ(root->Child("Missing"), nullptr);
}

TEST(ParseXml, RejectsMalformedDocuments) {
  for (const char* doc :
       {"", "text", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a></a><b></b>",
        "<a x='1></a>", "<a><![CDATA[x</a>", "<a>&#xD800;</a>"}) {
    auto root = ParseXml(doc);
    ASSERT_FALSE(root.ok()) << doc;
    EXPECT_EQ(root.status().code(), StatusCode::kInternal) << doc;
  }
}

TEST(ParseXml, RejectsNestingDeeperThanTheLimit) {
  std::string doc;
  for (int i = 0; i < 100; ++i) doc += "<a>";
  for (int i = 0; i < 100; ++i) doc += "</a>";
  EXPECT_FALSE(ParseXml(doc).ok());
}

TEST(ParseIsoTimeMs, ReadsWithAndWithoutFraction) {
  EXPECT_EQ(ParseIsoTimeMs("2026-11-27T05:51:54.638Z"), 1795758714638);
  EXPECT_EQ(ParseIsoTimeMs("2026-11-27T05:51:54Z"), 1795758714000);
  EXPECT_EQ(ParseIsoTimeMs("2026-11-27T05:51:54.5+00:00"), 1795758714500);
  EXPECT_FALSE(ParseIsoTimeMs("2026-13-27T05:51:54Z").has_value());
  EXPECT_FALSE(ParseIsoTimeMs("2026-11-27 05:51:54Z").has_value());
  EXPECT_FALSE(ParseIsoTimeMs("").has_value());
}

TEST(ParseHttpDateMs, ReadsRfc7231Dates) {
  EXPECT_EQ(ParseHttpDateMs("Fri, 27 Nov 2026 05:51:54 GMT"), 1795758714000);
  EXPECT_EQ(ParseHttpDateMs("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_FALSE(ParseHttpDateMs("Fri, 27 Foo 2026 05:51:54 GMT").has_value());
  EXPECT_FALSE(ParseHttpDateMs("27 Nov 2026").has_value());
}

}  // namespace
}  // namespace pictor::s3
