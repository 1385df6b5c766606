// The little XML the AWS query protocol needs: the text of an element found by its tag name, with
// the predefined and numeric character references decoded.
//
// Not an XML parser: no namespaces, attributes, CDATA or comments are understood, which AWS's
// error and STS answers never use. Free functions, thread-safe, no I/O; they never fail (what is
// absent reads as "" or nullopt).
#ifndef PICTOR_AWS_XML_TEXT_H_
#define PICTOR_AWS_XML_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

namespace pictor::aws {

// Decodes &amp; &lt; &gt; &quot; &apos; and &#NN; / &#xNN; (code points up to U+10FFFF, written
// as UTF-8); anything else, an unknown or unterminated reference included, is kept as written.
std::string XmlUnescape(std::string_view text);

// The raw content between the first "<tag>" (or "<tag " with attributes) and the next "</tag>",
// or nullopt when there is no such pair.
std::optional<std::string_view> XmlElementContent(std::string_view xml, std::string_view tag);

// XmlUnescape of XmlElementContent, or "" when the element is absent.
std::string XmlElementText(std::string_view xml, std::string_view tag);

}  // namespace pictor::aws

#endif  // PICTOR_AWS_XML_TEXT_H_
