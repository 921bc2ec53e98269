#include "obs/text_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.hpp"

namespace fwaq::obs {

LineReader::LineReader(const std::string& path) : path_(path), buffer_(1 << 16) {
  gz_ = gzopen(path.c_str(), "rb");
  if (gz_ == nullptr) {
    throw InputError(path, "", std::string("cannot open file: ") + std::strerror(errno));
  }
  gzbuffer(gz_, 1 << 17);
}

LineReader::~LineReader() {
  if (gz_ != nullptr) gzclose_r(gz_);
}

bool LineReader::compressed() const {
  return gzdirect(gz_) == 0;
}

void LineReader::check_stream(const char* where) {
  int code = Z_OK;
  const char* message = gzerror(gz_, &code);
  if (code == Z_OK || code == Z_STREAM_END) return;
  std::string problem = code == Z_BUF_ERROR ? "truncated gzip data (unexpected end of file)"
                                            : "cannot decompress: " + std::string(message);
  throw InputError(path_, "",
                   problem + " " + where + " line " + std::to_string(line_ + 1) +
                       "; expected a complete gzip (or plain text) file");
}

bool LineReader::next(std::string& line) {
  line.clear();
  bool got_any = false;
  for (;;) {
    const char* s = gzgets(gz_, buffer_.data(), static_cast<int>(buffer_.size()));
    check_stream("at");
    if (s == nullptr) break;
    got_any = true;
    const std::size_t n = std::strlen(s);
    line.append(s, n);
    if (n > 0 && s[n - 1] == '\n') break;
  }
  if (!got_any) return false;
  ++line_;
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_ == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  return true;
}

std::vector<std::string_view> split_csv(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

bool is_gzip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace fwaq::obs
