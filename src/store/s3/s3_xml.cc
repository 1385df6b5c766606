// The XML reader: a recursive descent over elements, bounded in depth.
#include "store/s3/s3_xml.h"

#include <cstdint>

#include "core/utf8.h"

namespace pictor::s3 {
namespace {

constexpr int kMaxDepth = 64;

Status Malformed(std::string_view why) {
  return Status::Internal("S3 sent malformed XML: " + std::string(why));
}

// "<name>" (built by appending: g++ 12 at -O3 warns falsely about "<" + std::string, GCC bug
// 105329).
std::string Tag(std::string_view name, bool end = false) {
  std::string out(end ? "</" : "<");
  out.append(name);
  out += '>';
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Decodes one reference body ("amp", "#38", "#x26") onto `out`.
bool DecodeReference(std::string_view ref, std::string& out) {
  if (ref == "amp") return out += '&', true;
  if (ref == "lt") return out += '<', true;
  if (ref == "gt") return out += '>', true;
  if (ref == "quot") return out += '"', true;
  if (ref == "apos") return out += '\'', true;
  if (ref.size() < 2 || ref[0] != '#') return false;
  bool hex = ref[1] == 'x' || ref[1] == 'X';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t cp = 0;
  for (char c : digits) {
    int v = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (v < 0) return false;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  AppendUtf8(out, cp);
  return true;
}

class Reader {
 public:
  explicit Reader(std::string_view doc) : doc_(doc) {}

  Result<XmlElement> Document() {
    if (Status s = SkipMisc(); !s.ok()) return s;
    if (pos_ >= doc_.size() || doc_[pos_] != '<') return Malformed("no root element");
    XmlElement root;
    if (Status s = Element(root, 0); !s.ok()) return s;
    if (Status s = SkipMisc(); !s.ok()) return s;
    if (pos_ != doc_.size()) return Malformed("content after the root element");
    return root;
  }

 private:
  // Skips white space, comments, processing instructions and a DOCTYPE before or after the root.
  Status SkipMisc() {
    while (true) {
      while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
      std::string_view rest = doc_.substr(pos_);
      if (rest.starts_with("<?")) {
        if (!SkipPast("?>")) return Malformed("unterminated processing instruction");
      } else if (rest.starts_with("<!--")) {
        if (!SkipPast("-->")) return Malformed("unterminated comment");
      } else if (rest.starts_with("<!DOCTYPE")) {
        if (!SkipPast(">")) return Malformed("unterminated DOCTYPE");
      } else {
        return Status::Ok();
      }
    }
  }

  bool SkipPast(std::string_view end) {
    size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) return false;
    pos_ = at + end.size();
    return true;
  }

  // At '<' of a start tag: reads the element through its end tag into `out`.
  Status Element(XmlElement& out, int depth) {
    if (depth >= kMaxDepth) return Malformed("nesting too deep");
    ++pos_;  // '<'
    size_t name_end = doc_.find_first_of(" \t\r\n/>", pos_);
    if (name_end == std::string_view::npos || name_end == pos_) return Malformed("bad tag");
    std::string_view qname = doc_.substr(pos_, name_end - pos_);
    // After the last ':', so a local name never holds one ("a:b:c" is not a name S3 writes).
    out.name = std::string(
        qname.substr(qname.rfind(':') == std::string_view::npos ? 0 : qname.rfind(':') + 1));
    if (out.name.empty()) return Malformed("bad tag");  // "<a:>": a prefix without a name
    // Attributes are skipped; a quoted value may hold '>' or '/'.
    pos_ = name_end;
    char quote = 0;
    while (pos_ < doc_.size()) {
      char c = doc_[pos_];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
      ++pos_;
    }
    if (pos_ >= doc_.size()) return Malformed("unterminated tag " + Tag(qname));
    bool empty = doc_[pos_ - 1] == '/';
    ++pos_;  // '>'
    if (empty) return Status::Ok();
    return Content(out, qname, depth);
  }

  // Reads text and children up to and including </qname>.
  Status Content(XmlElement& out, std::string_view qname, int depth) {
    while (pos_ < doc_.size()) {
      char c = doc_[pos_];
      if (c == '&') {
        size_t semi = doc_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > 12 ||
            !DecodeReference(doc_.substr(pos_ + 1, semi - pos_ - 1), out.text)) {
          return Malformed("bad character reference");
        }
        pos_ = semi + 1;
      } else if (c != '<') {
        out.text += c;
        ++pos_;
      } else {
        std::string_view rest = doc_.substr(pos_);
        if (rest.starts_with("</")) {
          size_t close = doc_.find('>', pos_);
          if (close == std::string_view::npos) return Malformed("unterminated end tag");
          std::string_view end_name = doc_.substr(pos_ + 2, close - pos_ - 2);
          while (!end_name.empty() && IsSpace(end_name.back())) end_name.remove_suffix(1);
          if (end_name != qname) {
            return Malformed(Tag(end_name, true) + " closes " + Tag(qname));
          }
          pos_ = close + 1;
          return Status::Ok();
        }
        if (rest.starts_with("<![CDATA[")) {
          size_t end = doc_.find("]]>", pos_);
          if (end == std::string_view::npos) return Malformed("unterminated CDATA");
          out.text.append(doc_.substr(pos_ + 9, end - pos_ - 9));
          pos_ = end + 3;
        } else if (rest.starts_with("<!--")) {
          if (!SkipPast("-->")) return Malformed("unterminated comment");
        } else if (rest.starts_with("<?")) {
          if (!SkipPast("?>")) return Malformed("unterminated processing instruction");
        } else {
          XmlElement& child = out.children.emplace_back();
          if (Status s = Element(child, depth + 1); !s.ok()) return s;
        }
      }
    }
    return Malformed(Tag(qname) + " is never closed");
  }

  std::string_view doc_;
  size_t pos_ = 0;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& child : children) {
    if (child.name == child_name) return &child;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* child = Child(child_name);
  return child ? child->text : std::string();
}

Result<XmlElement> ParseXml(std::string_view document) { return Reader(document).Document(); }

}  // namespace pictor::s3
