#pragma once
// Shared NetCDF helpers (netCDF-C API, netcdf.h) for every reader and writer of
// the model: meteorology, emissions, boundary conditions, output.
//
// Reading (class NcFile):
//   * open with a clear fwaq::InputError naming the file when it is missing,
//     unreadable, not NetCDF or truncated. Classic-format files (CDF-1/2/5) are
//     checked against their header: if the file is shorter than the end of some
//     variable's data, the error names that variable and the byte positions
//     (the netCDF library itself would silently return zeros for the missing
//     bytes). NetCDF-4/HDF5 files that are cut short fail already in nc_open
//     ("HDF error"); the error then names the file and its size.
//   * read any numeric variable (or a hyperslab of it) as double, unpacked and
//     checked (CF Conventions 1.11, sect. 2.5.1 and 8.1; NetCDF User's Guide,
//     "Attribute Conventions"):
//       - the comparison with _FillValue / missing_value / valid_min / valid_max /
//         valid_range is made on the stored (packed) values, as CF requires;
//       - without _FillValue, the library's default fill value of the type
//         (e.g. 9.96921e36 for float) also marks a missing value, except for
//         byte types (NUG); _Unsigned = "true" is honoured for integer types;
//       - unpacked = stored * scale_factor + add_offset (either may be absent);
//       - a missing value is an error by default (MissingPolicy::kError) or
//         becomes NaN (MissingPolicy::kNaN) for callers that handle gaps;
//       - any NaN or Inf left after unpacking is an error naming the variable
//         and the position, e.g. "(Time=1, bottom_top=3, south_north=2, west_east=4)".
//   * check a variable's dimension names and lengths, read text (char)
//     variables such as WRF's Times, read global and variable attributes;
//   * convert CF time coordinates ("hours since 1900-01-01 00:00:0.0") to
//     TimePoint (cf_time()).
//
// Writing (class NcWriter): a NetCDF-4 file with deflate-compressed variables,
// written under a temporary name in the target folder and renamed onto the
// final name by commit() (atomic on POSIX file systems), so readers never see a
// half-written file. An NcWriter destroyed without commit() removes its
// temporary file.
//
// All errors are fwaq::InputError(file, variable, problem): the message names the
// file, the variable (or attribute) and the position or value, and what was
// expected. The netCDF-C library is not thread-safe: use one thread per process
// for NetCDF calls (the model reads on one thread and distributes the data).
//
// References:
//   Unidata: NetCDF Users Guide, "Attribute Conventions" and "File Format
//     Specifications" (classic format grammar), https://docs.unidata.ucar.edu/nug/
//   Eaton, B. et al. (2023): NetCDF Climate and Forecast (CF) Metadata
//     Conventions, version 1.11, https://cfconventions.org.
#include <netcdf.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace fwaq::nc {

/// What to do with a value equal to _FillValue / missing_value or outside the
/// valid range.
enum class MissingPolicy {
  kError,  ///< throw InputError naming the variable and the position (default)
  kNaN     ///< return NaN (the finiteness check then skips these positions)
};

struct ReadOptions {
  MissingPolicy missing = MissingPolicy::kError;
  /// Apply scale_factor / add_offset (CF sect. 8.1).
  bool unpack = true;
  /// Throw on NaN / Inf that is not a declared missing value.
  bool require_finite = true;
};

/// Expected dimension of a variable: its name and length (0 = any length).
struct DimSpec {
  std::string name;
  std::size_t length = 0;
};

/// Description of one variable in a file.
struct VarInfo {
  std::string name;
  int id = -1;
  nc_type type = NC_NAT;
  std::vector<std::string> dims;   ///< dimension names, slowest first
  std::vector<std::size_t> shape;  ///< dimension lengths, slowest first
  std::size_t size() const;        ///< number of elements
};

/// A NetCDF file opened read-only (RAII; movable, not copyable).
class NcFile {
 public:
  /// Opens `path`. Throws InputError naming the file if it does not exist, is
  /// not readable, is not NetCDF, or is truncated (see file comment).
  explicit NcFile(const std::string& path);
  NcFile(NcFile&& other) noexcept;
  NcFile& operator=(NcFile&& other) noexcept;
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;
  ~NcFile();

  const std::string& path() const { return path_; }
  int id() const { return id_; }
  /// NC_FORMAT_CLASSIC, NC_FORMAT_64BIT_OFFSET, NC_FORMAT_CDF5, NC_FORMAT_NETCDF4, ...
  int format() const;

  // ---- dimensions and variables --------------------------------------------
  bool has_dim(const std::string& name) const;
  /// Length of a dimension; InputError naming the dimension if it is absent.
  std::size_t dim_length(const std::string& name) const;
  bool has_var(const std::string& name) const;
  std::vector<std::string> var_names() const;
  /// Description of a variable; InputError "variable 'X': not found" if absent.
  /// `purpose` (optional) is added to the message, e.g. "needed for MetRecord::pblh".
  VarInfo var(const std::string& name, const std::string& purpose = "") const;
  /// The first variable whose attribute `attribute` equals `value` (e.g.
  /// standard_name = "air_temperature"), if any.
  std::optional<std::string> find_var_by_attribute(const std::string& attribute,
                                                   const std::string& value) const;
  /// Checks the variable's rank, dimension names and lengths (length 0 in a
  /// DimSpec accepts any length). Throws InputError naming the variable, the
  /// dimension position, what was found and what was expected. Returns the info.
  VarInfo expect_dims(const std::string& name, const std::vector<DimSpec>& expected) const;

  // ---- attributes (var = "" for global attributes) --------------------------
  bool has_att(const std::string& var, const std::string& name) const;
  /// Text attribute, if present and of type char/string.
  std::optional<std::string> att_text(const std::string& var, const std::string& name) const;
  /// First value of a numeric attribute converted to double, if present.
  std::optional<double> att_double(const std::string& var, const std::string& name) const;
  /// All values of a numeric attribute as doubles (empty if absent).
  std::vector<double> att_doubles(const std::string& var, const std::string& name) const;
  /// Numeric global attribute; InputError naming the attribute if absent or not numeric.
  double require_global_double(const std::string& name) const;

  // ---- data ----------------------------------------------------------------
  /// Reads the hyperslab start/count (one entry per dimension; both empty = the
  /// whole variable) of a numeric variable as double, C order (last dimension
  /// fastest), unpacked and checked according to `options`.
  std::vector<double> read(const std::string& name, std::span<const std::size_t> start = {},
                           std::span<const std::size_t> count = {},
                           const ReadOptions& options = {}) const;
  /// Reads a char variable of shape (n, len) as n strings (trailing NULs and
  /// blanks removed); a 1-D char variable gives one string.
  std::vector<std::string> read_strings(const std::string& name) const;

  /// "(Time=1, bottom_top=3, south_north=2, west_east=4)" for the element at flat
  /// offset `offset` of the hyperslab start/count of `info` (absolute file indices).
  static std::string position(const VarInfo& info, std::span<const std::size_t> start,
                              std::span<const std::size_t> count, std::size_t offset);

 private:
  void check_classic_size() const;
  [[noreturn]] void fail(const std::string& variable, const std::string& what, int status) const;

  std::string path_;
  int id_ = -1;
};

/// Converts a CF time value to UTC. `units` is "<unit> since <reference>" with
/// unit seconds/minutes/hours/days (and their abbreviations), reference
/// "YYYY-M-D[ H:M[:S[.f]]][Z|UTC|±hh[:mm]]" (T also allowed as separator);
/// `calendar` standard / gregorian / proleptic_gregorian (empty = standard).
/// Months and years as units, other calendars, and reference dates before the
/// Gregorian reform 1582-10-15 in the standard calendar are rejected.
/// Result rounded to the nearest second. Throws InputError(file, variable, ...).
TimePoint cf_time(double value, const std::string& units, const std::string& calendar,
                  const std::string& file = "", const std::string& variable = "");

/// Throws InputError naming the file, the variable and the position of the first
/// NaN or Inf in `values`, a hyperslab (start, count) of variable `info`.
void require_finite(const std::string& file, const VarInfo& info, std::span<const double> values,
                    std::span<const std::size_t> start, std::span<const std::size_t> count);

/// A new NetCDF-4 file written under a temporary name and renamed on commit().
///
///   NcWriter w("out.nc");
///   w.dimension("time", 0);                       // 0 = unlimited
///   w.dimension("x", 10);
///   w.variable("c", NC_FLOAT, {"time", "x"});     // deflate level 4 + shuffle
///   w.attribute("c", "units", "ug m-3");
///   w.write("c", values, {0, 0}, {1, 10});
///   w.commit();                                   // rename onto out.nc
class NcWriter {
 public:
  /// Creates `path`.tmp.<pid> (NetCDF-4, clobbering) next to the final path.
  /// `classic` = true writes the classic CDF-1 format instead (no compression;
  /// for tests of the classic-format code paths).
  explicit NcWriter(std::string path, bool classic = false);
  NcWriter(const NcWriter&) = delete;
  NcWriter& operator=(const NcWriter&) = delete;
  /// Closes and removes the temporary file unless commit() succeeded.
  ~NcWriter();

  /// Defines a dimension; length 0 makes it unlimited.
  void dimension(const std::string& name, std::size_t length);
  /// Defines a variable over existing dimensions. deflate_level 0..9 (0 = off;
  /// ignored for classic files); shuffle helps the compression of numbers.
  void variable(const std::string& name, nc_type type, const std::vector<std::string>& dims,
                int deflate_level = 4, bool shuffle = true);
  /// Text attribute of a variable (var = "" for a global attribute).
  void attribute(const std::string& var, const std::string& name, const std::string& text);
  /// Numeric attribute stored with the given type (e.g. NC_SHORT for a packed
  /// variable's _FillValue, which must have the variable's type).
  void attribute(const std::string& var, const std::string& name, std::span<const double> values,
                 nc_type type = NC_DOUBLE);
  void attribute(const std::string& var, const std::string& name, double value,
                 nc_type type = NC_DOUBLE) {
    attribute(var, name, std::span<const double>(&value, 1), type);
  }
  /// Writes values (converted by the library to the variable's type) into the
  /// hyperslab start/count (both empty = the whole variable). Leaves define mode
  /// on the first call: define everything first.
  void write(const std::string& var, std::span<const double> values,
             std::span<const std::size_t> start = {}, std::span<const std::size_t> count = {});
  /// Writes text into a char variable at the hyperslab start/count.
  void write_text(const std::string& var, const std::string& text,
                  std::span<const std::size_t> start, std::span<const std::size_t> count);
  /// Closes the file and renames it onto the final path. Throws InputError on failure.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return tmp_; }

 private:
  int varid(const std::string& var) const;
  void data_mode();
  [[noreturn]] void fail(const std::string& variable, const std::string& what, int status) const;

  std::string path_;
  std::string tmp_;
  int id_ = -1;
  bool define_mode_ = true;
  bool classic_ = false;
};

}  // namespace fwaq::nc
