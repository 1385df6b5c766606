// Element text and character references of AWS's XML answers.
#include "aws/xml_text.h"

#include <cstdint>
#include <utility>

#include "core/utf8.h"

namespace pictor::aws {
namespace {

// "&#65;" or "&#x41;" at the start of `in`: the code point and the reference's length.
std::optional<std::pair<uint32_t, size_t>> NumericReference(std::string_view in) {
  if (!in.starts_with("&#")) return std::nullopt;
  size_t i = 2;
  int base = 10;
  if (i < in.size() && (in[i] == 'x' || in[i] == 'X')) {
    base = 16;
    ++i;
  }
  uint32_t cp = 0;
  size_t digits = 0;
  for (; i < in.size() && in[i] != ';'; ++i, ++digits) {
    char c = in[i];
    int v = c >= '0' && c <= '9'                 ? c - '0'
            : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
    if (v < 0 || digits >= 8) return std::nullopt;
    cp = cp * static_cast<uint32_t>(base) + static_cast<uint32_t>(v);
  }
  if (i >= in.size() || digits == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return std::make_pair(cp, i + 1);
}

}  // namespace

std::string XmlUnescape(std::string_view in) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    if (in[i] == '&') {
      std::string_view rest = in.substr(i);
      bool replaced = false;
      for (const auto& [entity, ch] : kEntities) {
        if (rest.starts_with(entity)) {
          out += ch;
          i += entity.size();
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
      if (auto numeric = NumericReference(rest)) {
        AppendUtf8(out, numeric->first);
        i += numeric->second;
        continue;
      }
    }
    out += in[i++];
  }
  return out;
}

std::optional<std::string_view> XmlElementContent(std::string_view xml, std::string_view tag) {
  // Built by appending: g++ 12 at -O3 warns falsely about "<" + std::string (GCC bug 105329).
  std::string open(1, '<');
  open.append(tag);
  std::string close("</");
  close.append(tag).push_back('>');
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    size_t after = at + open.size();
    if (after >= xml.size()) return std::nullopt;
    if (xml[after] != '>' && xml[after] != ' ') continue;  // <Tag> or <Tag attr=...>, not <TagX>
    size_t start = xml.find('>', after);
    if (start == std::string_view::npos) return std::nullopt;
    ++start;
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) return std::nullopt;
    return xml.substr(start, end - start);
  }
  return std::nullopt;
}

std::string XmlElementText(std::string_view xml, std::string_view tag) {
  std::optional<std::string_view> content = XmlElementContent(xml, tag);
  return content ? XmlUnescape(*content) : std::string();
}

}  // namespace pictor::aws
