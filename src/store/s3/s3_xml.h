// A small XML reader for the replies S3 sends: elements, text and the five named and numeric
// character references. Namespaces are kept in names as written; attributes, comments,
// processing instructions and the DOCTYPE are skipped; CDATA sections are read as text.
//
// Pure functions, thread-safe. Malformed input (an unclosed or mismatched tag, an unknown entity,
// nesting deeper than 64) is an Internal status: a broken peer answer.
#ifndef PICTOR_STORE_S3_S3_XML_H_
#define PICTOR_STORE_S3_S3_XML_H_

#include <string>
#include <string_view>
#include <vector>

#include "pictor/status.h"

namespace pictor::s3 {

struct XmlElement {
  std::string name;  // local name, any "prefix:" removed
  std::string text;  // the element's own character data, concatenated and decoded
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* Child(std::string_view child_name) const;
  // The text of the first child named `name`, or "" when there is none.
  std::string ChildText(std::string_view child_name) const;
};

// Reads a whole document and returns its root element.
Result<XmlElement> ParseXml(std::string_view document);

}  // namespace pictor::s3

#endif  // PICTOR_STORE_S3_S3_XML_H_
