#pragma once
// Line-by-line reading of plain or gzip-compressed text files. zlib's gzopen reads
// both (a file without the gzip magic bytes is passed through unchanged), so one code
// path serves `*.csv` and `*.csv.gz`. Decompression errors — a truncated or corrupt
// gzip stream — are reported as InputError naming the file and the line reached.
#include <string>
#include <string_view>
#include <vector>

struct gzFile_s;  // zlib's file handle (zlib.h: typedef struct gzFile_s* gzFile)

namespace fwaq::obs {

class LineReader {
 public:
  /// Opens `path`; throws InputError if it cannot be opened.
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Reads the next line into `line`, without its "\n" or "\r\n" and, on line 1,
  /// without a UTF-8 byte-order mark. Returns false at the end of the file. Throws
  /// InputError if the data cannot be decompressed (truncated or corrupt gzip file).
  bool next(std::string& line);
  /// 1-based number of the line last returned by next() (0 before the first).
  long line_number() const { return line_; }
  const std::string& path() const { return path_; }
  /// True if the file is gzip-compressed (false for plain text).
  bool compressed() const;

 private:
  void check_stream(const char* where);
  std::string path_;
  gzFile_s* gz_ = nullptr;
  long line_ = 0;
  std::vector<char> buffer_;
};

/// Splits a CSV line at commas. The CNEMC files have no quoted fields; a field that
/// holds a comma cannot be represented and is not expected.
std::vector<std::string_view> split_csv(std::string_view line);

/// True if the first bytes of `path` are the gzip magic number (1f 8b).
bool is_gzip_file(const std::string& path);

}  // namespace fwaq::obs
