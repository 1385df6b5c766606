// The XML reader of S3 replies (src/store/s3/s3_xml). The input is the document.
// Invariant: a tree that was read, written back as XML (text escaped, element text before the
// children) and read again, is the same tree: no name, text or child is lost or invented.
#include <string>

#include "fuzz_check.h"
#include "store/s3/s3_xml.h"

namespace {

void Write(const pictor::s3::XmlElement& element, std::string& out) {
  out += '<' + element.name + '>';
  for (unsigned char c : element.text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += static_cast<char>(c);
    }
  }
  for (const auto& child : element.children) Write(child, out);
  out += "</" + element.name + '>';
}

bool Same(const pictor::s3::XmlElement& a, const pictor::s3::XmlElement& b) {
  if (a.name != b.name || a.text != b.text || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pictor::Result<pictor::s3::XmlElement> root =
      pictor::s3::ParseXml(pictor::fuzz::AsText(data, size));
  if (!root.ok()) {
    FUZZ_CHECK(root.status().code() == pictor::StatusCode::kInternal);
    return 0;
  }
  FUZZ_CHECK(!root->name.empty());
  std::string written;
  Write(*root, written);
  pictor::Result<pictor::s3::XmlElement> again = pictor::s3::ParseXml(written);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(Same(*root, *again));
  return 0;
}
