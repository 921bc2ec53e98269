#include "io/netcdf_util.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <type_traits>
#include <utility>

namespace fwaq::nc {

namespace fs = std::filesystem;

namespace {

std::string size_text(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? std::string("unknown size") : std::to_string(size) + " bytes";
}

std::size_t type_size(nc_type type) {
  switch (type) {
    case NC_BYTE:
    case NC_UBYTE:
    case NC_CHAR:
      return 1;
    case NC_SHORT:
    case NC_USHORT:
      return 2;
    case NC_INT:
    case NC_UINT:
    case NC_FLOAT:
      return 4;
    case NC_DOUBLE:
    case NC_INT64:
    case NC_UINT64:
      return 8;
    default:
      return 0;
  }
}

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

// ---- classic-format header parser (NUG, "File Format Specifications") -------
// Only what is needed to know where each variable's data ends.
class HeaderReader {
 public:
  HeaderReader(std::ifstream& in, int version) : in_(in), version_(version) {}
  std::uint64_t u32() { return get(4); }
  /// NON_NEG: 32-bit in CDF-1/2, 64-bit in CDF-5.
  std::uint64_t non_neg() { return get(version_ == 5 ? 8 : 4); }
  /// OFFSET: 32-bit in CDF-1, 64-bit in CDF-2/5.
  std::uint64_t offset() { return get(version_ == 1 ? 4 : 8); }
  std::string name() {
    const std::uint64_t n = non_neg();
    if (n > (1u << 20)) throw std::runtime_error("implausible name length");
    std::string s(n, '\0');
    read_bytes(s.data(), n);
    skip(pad(n) - n);
    return s;
  }
  void skip(std::uint64_t n) {
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    if (!in_) throw std::runtime_error("header ends early");
    pos_ += n;
  }
  static std::uint64_t pad(std::uint64_t n) { return (n + 3) / 4 * 4; }
  std::uint64_t pos() const { return pos_; }

 private:
  std::uint64_t get(int bytes) {
    unsigned char b[8];
    read_bytes(reinterpret_cast<char*>(b), static_cast<std::uint64_t>(bytes));
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | b[i];
    return v;
  }
  void read_bytes(char* out, std::uint64_t n) {
    in_.read(out, static_cast<std::streamsize>(n));
    if (!in_) throw std::runtime_error("header ends early");
    pos_ += n;
  }
  std::ifstream& in_;
  int version_;
  std::uint64_t pos_ = 0;
};

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T>
double to_double(T v, bool as_unsigned) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    if (as_unsigned) return static_cast<double>(static_cast<std::make_unsigned_t<T>>(v));
  }
  return static_cast<double>(v);
}

template <class T>
T default_fill();
template <>
signed char default_fill<signed char>() {
  return NC_FILL_BYTE;
}
template <>
unsigned char default_fill<unsigned char>() {
  return NC_FILL_UBYTE;
}
template <>
short default_fill<short>() {
  return NC_FILL_SHORT;
}
template <>
unsigned short default_fill<unsigned short>() {
  return NC_FILL_USHORT;
}
template <>
int default_fill<int>() {
  return NC_FILL_INT;
}
template <>
unsigned int default_fill<unsigned int>() {
  return NC_FILL_UINT;
}
template <>
long long default_fill<long long>() {
  return NC_FILL_INT64;
}
template <>
unsigned long long default_fill<unsigned long long>() {
  return NC_FILL_UINT64;
}
template <>
float default_fill<float>() {
  return NC_FILL_FLOAT;
}
template <>
double default_fill<double>() {
  return NC_FILL_DOUBLE;
}

/// Reads the raw values of a hyperslab and converts them to double with the
/// missing-value, packing and finiteness rules of ReadOptions.
template <class T>
std::vector<double> read_typed(const NcFile& file, const VarInfo& info,
                               std::span<const std::size_t> start,
                               std::span<const std::size_t> count, const ReadOptions& options) {
  std::size_t n = 1;
  for (auto c : count) n *= c;
  std::vector<T> raw(n);
  if (n > 0) {
    const int status =
        nc_get_vara(file.id(), info.id, start.data(), count.data(), static_cast<void*>(raw.data()));
    if (status != NC_NOERR) {
      throw InputError(file.path(), info.name,
                       "cannot read values starting at " + NcFile::position(info, start, count, 0) +
                           ": " + nc_strerror(status) + " (file truncated or damaged? " +
                           size_text(file.path()) + ")");
    }
  }
  const int ncid = file.id();
  const int varid = info.id;
  const bool is_unsigned = file.att_text(info.name, "_Unsigned").value_or("") == "true";

  // Missing-value markers, in stored units.
  std::optional<T> fill;
  nc_type att_type = NC_NAT;
  std::size_t att_len = 0;
  bool fill_declared = false;
  if (nc_inq_att(ncid, varid, "_FillValue", &att_type, &att_len) == NC_NOERR) {
    fill_declared = true;
    if (att_type == info.type && att_len == 1) {
      T v{};
      if (nc_get_att(ncid, varid, "_FillValue", &v) == NC_NOERR) fill = v;
    }
  }
  std::vector<double> fill_doubles;  // _FillValue of another type, and missing_value
  if (fill_declared && !fill) fill_doubles = file.att_doubles(info.name, "_FillValue");
  if (!fill_declared && info.type != NC_BYTE && info.type != NC_UBYTE) fill = default_fill<T>();
  if (nc_inq_att(ncid, varid, "missing_value", &att_type, &att_len) == NC_NOERR) {
    if (att_type == info.type) {
      std::vector<T> mv(att_len);
      if (nc_get_att(ncid, varid, "missing_value", mv.data()) == NC_NOERR) {
        for (T m : mv) fill_doubles.push_back(to_double(m, is_unsigned));
      }
    } else {
      for (double m : file.att_doubles(info.name, "missing_value")) fill_doubles.push_back(m);
    }
  }
  // Valid range: stored units if of the variable's type, else unpacked units.
  double vmin = -std::numeric_limits<double>::infinity();
  double vmax = std::numeric_limits<double>::infinity();
  bool range_packed = true;
  auto range_att = [&](const char* name, double& lo, double& hi, int which) {
    if (nc_inq_att(ncid, varid, name, &att_type, &att_len) != NC_NOERR) return;
    std::vector<double> v;
    if (att_type == info.type) {
      std::vector<T> t(att_len);
      if (nc_get_att(ncid, varid, name, t.data()) != NC_NOERR) return;
      for (T x : t) v.push_back(to_double(x, is_unsigned));
    } else {
      v = file.att_doubles(info.name, name);
      range_packed = false;
    }
    if (which == 0 && v.size() >= 2) {
      lo = v[0];
      hi = v[1];
    } else if (which == 1 && !v.empty()) {
      lo = v[0];
    } else if (which == 2 && !v.empty()) {
      hi = v[0];
    }
  };
  range_att("valid_range", vmin, vmax, 0);
  range_att("valid_min", vmin, vmax, 1);
  range_att("valid_max", vmin, vmax, 2);

  const double scale =
      options.unpack ? file.att_double(info.name, "scale_factor").value_or(1.0) : 1.0;
  const double add = options.unpack ? file.att_double(info.name, "add_offset").value_or(0.0) : 0.0;

  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const T r = raw[i];
    const double stored = to_double(r, is_unsigned);
    bool missing = false;
    std::string why;
    if (fill &&
        (same_bits(r, *fill) || (std::isnan(stored) && std::isnan(to_double(*fill, false))))) {
      missing = true;
      why = std::string(fill_declared ? "_FillValue" : "the default fill value") + " " +
            format_number(to_double(*fill, is_unsigned));
    }
    for (double m : fill_doubles) {
      if (!missing && (stored == m || (std::isnan(stored) && std::isnan(m)))) {
        missing = true;
        why = "missing value " + format_number(m);
      }
    }
    const double value = stored * scale + add;
    const double cmp = range_packed ? stored : value;
    if (!missing && (cmp < vmin || cmp > vmax)) {
      missing = true;
      why = "value " + format_number(value) + " outside the valid range [" + format_number(vmin) +
            ", " + format_number(vmax) + "]";
    }
    if (missing) {
      if (options.missing == MissingPolicy::kError) {
        throw InputError(file.path(), info.name,
                         "missing value (" + why + ") at " +
                             NcFile::position(info, start, count, i) +
                             "; expected a valid value everywhere");
      }
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    if (options.require_finite && !std::isfinite(value)) {
      throw InputError(file.path(), info.name,
                       "non-finite value " + format_number(value) + " at " +
                           NcFile::position(info, start, count, i) + "; expected a finite number");
    }
    out[i] = value;
  }
  return out;
}

}  // namespace

std::size_t VarInfo::size() const {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

// ---------------------------------------------------------------------------
// NcFile
// ---------------------------------------------------------------------------

NcFile::NcFile(const std::string& path) : path_(path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw InputError(path, "", "file does not exist; expected a NetCDF file");
  }
  if (fs::is_directory(path, ec)) {
    throw InputError(path, "", "is a directory; expected a NetCDF file");
  }
  const int status = nc_open(path.c_str(), NC_NOWRITE, &id_);
  if (status != NC_NOERR) {
    id_ = -1;
    throw InputError(path, "",
                     std::string("cannot open as NetCDF: ") + nc_strerror(status) + " (" +
                         size_text(path) +
                         "; the file may be truncated, damaged or not NetCDF at all)");
  }
  try {
    check_classic_size();
  } catch (...) {
    nc_close(id_);
    id_ = -1;
    throw;
  }
}

NcFile::NcFile(NcFile&& other) noexcept
    : path_(std::move(other.path_)), id_(std::exchange(other.id_, -1)) {}

NcFile& NcFile::operator=(NcFile&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) nc_close(id_);
    path_ = std::move(other.path_);
    id_ = std::exchange(other.id_, -1);
  }
  return *this;
}

NcFile::~NcFile() {
  if (id_ >= 0) nc_close(id_);
}

void NcFile::fail(const std::string& variable, const std::string& what, int status) const {
  throw InputError(path_, variable, what + ": " + nc_strerror(status));
}

int NcFile::format() const {
  int f = 0;
  const int status = nc_inq_format(id_, &f);
  if (status != NC_NOERR) fail("", "cannot query the format", status);
  return f;
}

void NcFile::check_classic_size() const {
  const int f = format();
  if (f != NC_FORMAT_CLASSIC && f != NC_FORMAT_64BIT_OFFSET && f != NC_FORMAT_CDF5) return;
  std::error_code ec;
  const std::uint64_t file_size = fs::file_size(path_, ec);
  if (ec) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw InputError(path_, "", "cannot read the file header");
  char magic[4];
  in.read(magic, 4);
  if (!in || magic[0] != 'C' || magic[1] != 'D' || magic[2] != 'F') {
    throw InputError(path_, "", "classic NetCDF file without the 'CDF' magic number");
  }
  const int version = magic[3];
  struct Var {
    std::string name;
    std::vector<std::uint64_t> dimids;
    nc_type type;
    std::uint64_t begin;
  };
  std::vector<std::uint64_t> dim_len;
  std::vector<Var> vars;
  std::uint64_t numrecs = 0;
  HeaderReader h(in, version);
  try {
    numrecs = h.non_neg();
    // dim_list
    std::uint64_t tag = h.u32();
    std::uint64_t n = h.non_neg();
    if (tag != 0 && tag != 0x0A) throw std::runtime_error("bad dimension tag");
    for (std::uint64_t i = 0; i < n; ++i) {
      h.name();
      dim_len.push_back(h.non_neg());
    }
    auto skip_atts = [&]() {
      const std::uint64_t atag = h.u32();
      const std::uint64_t na = h.non_neg();
      if (atag != 0 && atag != 0x0C) throw std::runtime_error("bad attribute tag");
      for (std::uint64_t a = 0; a < na; ++a) {
        h.name();
        const auto type = static_cast<nc_type>(h.u32());
        const std::uint64_t nelems = h.non_neg();
        const std::size_t ts = type_size(type);
        if (ts == 0) throw std::runtime_error("bad attribute type");
        h.skip(HeaderReader::pad(nelems * ts));
      }
    };
    skip_atts();  // global attributes
    tag = h.u32();
    n = h.non_neg();
    if (tag != 0 && tag != 0x0B) throw std::runtime_error("bad variable tag");
    for (std::uint64_t i = 0; i < n; ++i) {
      Var v;
      v.name = h.name();
      const std::uint64_t rank = h.non_neg();
      for (std::uint64_t d = 0; d < rank; ++d) v.dimids.push_back(h.non_neg());
      skip_atts();
      v.type = static_cast<nc_type>(h.u32());
      h.non_neg();  // vsize (may be clamped for large variables: recomputed below)
      v.begin = h.offset();
      vars.push_back(std::move(v));
    }
  } catch (const std::exception& e) {
    throw InputError(path_, "",
                     std::string("cannot parse the classic NetCDF header (") + e.what() +
                         " at byte " + std::to_string(h.pos() + 4) + ", " + size_text(path_) +
                         "); the file is truncated or damaged");
  }
  if (numrecs == 0xFFFFFFFFull || numrecs == 0xFFFFFFFFFFFFFFFFull) {  // STREAMING
    int unlim = -1;
    std::size_t len = 0;
    if (nc_inq_unlimdim(id_, &unlim) == NC_NOERR && unlim >= 0 &&
        nc_inq_dimlen(id_, unlim, &len) == NC_NOERR) {
      numrecs = len;
    }
  }
  // Per-record (or whole) sizes; the record size with the single-record-variable rule.
  std::uint64_t recsize = 0;
  int record_vars = 0;
  std::vector<std::uint64_t> one(vars.size(), 0);
  std::vector<bool> is_record(vars.size(), false);
  for (std::size_t i = 0; i < vars.size(); ++i) {
    std::uint64_t size = type_size(vars[i].type);
    for (std::size_t d = 0; d < vars[i].dimids.size(); ++d) {
      const auto id = vars[i].dimids[d];
      if (id >= dim_len.size()) {
        throw InputError(path_, vars[i].name, "refers to a dimension that does not exist");
      }
      if (dim_len[id] == 0) {
        if (d == 0) is_record[i] = true;
        continue;
      }
      size *= dim_len[id];
    }
    one[i] = size;
    if (is_record[i]) {
      recsize += HeaderReader::pad(size);
      ++record_vars;
    }
  }
  if (record_vars == 1) {
    for (std::size_t i = 0; i < vars.size(); ++i) {
      if (is_record[i]) recsize = one[i];
    }
  }
  for (std::size_t i = 0; i < vars.size(); ++i) {
    std::uint64_t end = vars[i].begin + one[i];
    if (is_record[i]) {
      if (numrecs == 0) continue;
      end = vars[i].begin + (numrecs - 1) * recsize + one[i];
    }
    if (end > file_size) {
      const std::uint64_t have = file_size > vars[i].begin ? file_size - vars[i].begin : 0;
      throw InputError(path_, vars[i].name,
                       "data end at byte " + std::to_string(end) + " (from byte " +
                           std::to_string(vars[i].begin) + ") but the file has only " +
                           std::to_string(file_size) + " bytes (" + std::to_string(have) +
                           " bytes of this variable present): the file is truncated");
    }
  }
}

bool NcFile::has_dim(const std::string& name) const {
  int d = -1;
  return nc_inq_dimid(id_, name.c_str(), &d) == NC_NOERR;
}

std::size_t NcFile::dim_length(const std::string& name) const {
  int d = -1;
  if (nc_inq_dimid(id_, name.c_str(), &d) != NC_NOERR) {
    throw InputError(path_, "", "dimension '" + name + "' not found");
  }
  std::size_t len = 0;
  const int status = nc_inq_dimlen(id_, d, &len);
  if (status != NC_NOERR) fail("", "cannot query dimension '" + name + "'", status);
  return len;
}

bool NcFile::has_var(const std::string& name) const {
  int v = -1;
  return nc_inq_varid(id_, name.c_str(), &v) == NC_NOERR;
}

std::vector<std::string> NcFile::var_names() const {
  int n = 0;
  nc_inq_nvars(id_, &n);
  std::vector<std::string> names;
  for (int v = 0; v < n; ++v) {
    char buf[NC_MAX_NAME + 1] = {};
    if (nc_inq_varname(id_, v, buf) == NC_NOERR) names.emplace_back(buf);
  }
  return names;
}

VarInfo NcFile::var(const std::string& name, const std::string& purpose) const {
  VarInfo info;
  info.name = name;
  if (nc_inq_varid(id_, name.c_str(), &info.id) != NC_NOERR) {
    throw InputError(path_, name,
                     "not found in the file" + (purpose.empty() ? "" : " (" + purpose + ")"));
  }
  int ndims = 0;
  int status = nc_inq_var(id_, info.id, nullptr, &info.type, &ndims, nullptr, nullptr);
  if (status != NC_NOERR) fail(name, "cannot query the variable", status);
  std::vector<int> dimids(static_cast<std::size_t>(ndims));
  status = nc_inq_vardimid(id_, info.id, dimids.data());
  if (status != NC_NOERR) fail(name, "cannot query the dimensions", status);
  for (int d : dimids) {
    char buf[NC_MAX_NAME + 1] = {};
    std::size_t len = 0;
    status = nc_inq_dim(id_, d, buf, &len);
    if (status != NC_NOERR) fail(name, "cannot query a dimension", status);
    info.dims.emplace_back(buf);
    info.shape.push_back(len);
  }
  return info;
}

std::optional<std::string> NcFile::find_var_by_attribute(const std::string& attribute,
                                                         const std::string& value) const {
  for (const auto& name : var_names()) {
    if (att_text(name, attribute).value_or("") == value) return name;
  }
  return std::nullopt;
}

VarInfo NcFile::expect_dims(const std::string& name, const std::vector<DimSpec>& expected) const {
  VarInfo info = var(name);
  auto describe = [&]() {
    std::string s = "(";
    for (std::size_t d = 0; d < expected.size(); ++d) {
      if (d) s += ", ";
      s += expected[d].name;
      if (expected[d].length) s += "=" + std::to_string(expected[d].length);
    }
    return s + ")";
  };
  auto found = [&]() {
    std::string s = "(";
    for (std::size_t d = 0; d < info.dims.size(); ++d) {
      if (d) s += ", ";
      s += info.dims[d] + "=" + std::to_string(info.shape[d]);
    }
    return s + ")";
  };
  if (info.dims.size() != expected.size()) {
    throw InputError(path_, name,
                     "has " + std::to_string(info.dims.size()) + " dimensions " + found() +
                         "; expected " + std::to_string(expected.size()) + " " + describe());
  }
  for (std::size_t d = 0; d < expected.size(); ++d) {
    const bool name_ok = expected[d].name.empty() || info.dims[d] == expected[d].name;
    const bool len_ok = expected[d].length == 0 || info.shape[d] == expected[d].length;
    if (!name_ok || !len_ok) {
      throw InputError(path_, name,
                       "dimension " + std::to_string(d) + " is '" + info.dims[d] + "' of length " +
                           std::to_string(info.shape[d]) + "; expected '" + expected[d].name + "'" +
                           (expected[d].length ? " of length " + std::to_string(expected[d].length)
                                               : std::string()) +
                           " (found " + found() + ", expected " + describe() + ")");
    }
  }
  return info;
}

namespace {
int var_or_global(int ncid, const std::string& var) {
  if (var.empty()) return NC_GLOBAL;
  int id = -1;
  if (nc_inq_varid(ncid, var.c_str(), &id) != NC_NOERR) return -2;
  return id;
}
}  // namespace

bool NcFile::has_att(const std::string& var, const std::string& name) const {
  const int v = var_or_global(id_, var);
  if (v == -2) return false;
  int attnum = -1;
  return nc_inq_attid(id_, v, name.c_str(), &attnum) == NC_NOERR;
}

std::optional<std::string> NcFile::att_text(const std::string& var, const std::string& name) const {
  const int v = var_or_global(id_, var);
  if (v == -2) return std::nullopt;
  nc_type type = NC_NAT;
  std::size_t len = 0;
  if (nc_inq_att(id_, v, name.c_str(), &type, &len) != NC_NOERR) return std::nullopt;
  if (type == NC_CHAR) {
    std::string s(len, '\0');
    if (len && nc_get_att_text(id_, v, name.c_str(), s.data()) != NC_NOERR) return std::nullopt;
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  }
  if (type == NC_STRING && len >= 1) {
    std::vector<char*> strs(len, nullptr);
    if (nc_get_att_string(id_, v, name.c_str(), strs.data()) != NC_NOERR) return std::nullopt;
    std::string s = strs[0] ? strs[0] : "";
    nc_free_string(len, strs.data());
    return s;
  }
  return std::nullopt;
}

std::vector<double> NcFile::att_doubles(const std::string& var, const std::string& name) const {
  const int v = var_or_global(id_, var);
  if (v == -2) return {};
  nc_type type = NC_NAT;
  std::size_t len = 0;
  if (nc_inq_att(id_, v, name.c_str(), &type, &len) != NC_NOERR) return {};
  if (type == NC_CHAR || type == NC_STRING || len == 0) return {};
  std::vector<double> values(len);
  if (nc_get_att_double(id_, v, name.c_str(), values.data()) != NC_NOERR) return {};
  return values;
}

std::optional<double> NcFile::att_double(const std::string& var, const std::string& name) const {
  const auto v = att_doubles(var, name);
  if (v.empty()) return std::nullopt;
  return v.front();
}

double NcFile::require_global_double(const std::string& name) const {
  const auto v = att_double("", name);
  if (!v) {
    throw InputError(
        path_, "", "global attribute '" + name + "' is missing or not numeric; expected a number");
  }
  return *v;
}

std::string NcFile::position(const VarInfo& info, std::span<const std::size_t> start,
                             std::span<const std::size_t> count, std::size_t offset) {
  const std::size_t rank = info.dims.size();
  std::vector<std::size_t> idx(rank, 0);
  std::size_t rest = offset;
  for (std::size_t d = rank; d-- > 0;) {
    const std::size_t c = d < count.size() ? count[d] : info.shape[d];
    const std::size_t s = d < start.size() ? start[d] : 0;
    idx[d] = s + (c ? rest % c : 0);
    rest = c ? rest / c : 0;
  }
  std::string out = "(";
  for (std::size_t d = 0; d < rank; ++d) {
    if (d) out += ", ";
    out += info.dims[d] + "=" + std::to_string(idx[d]);
  }
  return out + ")";
}

std::vector<double> NcFile::read(const std::string& name, std::span<const std::size_t> start,
                                 std::span<const std::size_t> count,
                                 const ReadOptions& options) const {
  const VarInfo info = var(name);
  std::vector<std::size_t> s(start.begin(), start.end());
  std::vector<std::size_t> c(count.begin(), count.end());
  if (s.empty() && c.empty()) {
    s.assign(info.shape.size(), 0);
    c = info.shape;
  }
  if (s.size() != info.shape.size() || c.size() != info.shape.size()) {
    throw InputError(path_, name,
                     "read with " + std::to_string(s.size()) + "/" + std::to_string(c.size()) +
                         " start/count entries; the variable has " +
                         std::to_string(info.shape.size()) + " dimensions");
  }
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (s[d] + c[d] > info.shape[d]) {
      throw InputError(path_, name,
                       "requested indices " + std::to_string(s[d]) + ".." +
                           std::to_string(s[d] + c[d]) + " (exclusive) along dimension '" +
                           info.dims[d] + "' of length " + std::to_string(info.shape[d]));
    }
  }
  switch (info.type) {
    case NC_BYTE:
      return read_typed<signed char>(*this, info, s, c, options);
    case NC_UBYTE:
      return read_typed<unsigned char>(*this, info, s, c, options);
    case NC_SHORT:
      return read_typed<short>(*this, info, s, c, options);
    case NC_USHORT:
      return read_typed<unsigned short>(*this, info, s, c, options);
    case NC_INT:
      return read_typed<int>(*this, info, s, c, options);
    case NC_UINT:
      return read_typed<unsigned int>(*this, info, s, c, options);
    case NC_INT64:
      return read_typed<long long>(*this, info, s, c, options);
    case NC_UINT64:
      return read_typed<unsigned long long>(*this, info, s, c, options);
    case NC_FLOAT:
      return read_typed<float>(*this, info, s, c, options);
    case NC_DOUBLE:
      return read_typed<double>(*this, info, s, c, options);
    default:
      throw InputError(path_, name,
                       "is not numeric (NetCDF type " + std::to_string(info.type) +
                           "); expected a numeric variable");
  }
}

std::vector<std::string> NcFile::read_strings(const std::string& name) const {
  const VarInfo info = var(name);
  if (info.type != NC_CHAR || info.shape.empty() || info.shape.size() > 2) {
    throw InputError(path_, name,
                     "expected a 1-D or 2-D char variable (e.g. Times(Time, DateStrLen))");
  }
  const std::size_t n = info.shape.size() == 2 ? info.shape[0] : 1;
  const std::size_t len = info.shape.back();
  std::string buf(n * len, '\0');
  if (!buf.empty()) {
    const int status = nc_get_var_text(id_, info.id, buf.data());
    if (status != NC_NOERR) {
      fail(name, "cannot read the text (" + size_text(path_) + ")", status);
    }
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s = buf.substr(i * len, len);
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    out.push_back(std::move(s));
  }
  return out;
}

void require_finite(const std::string& file, const VarInfo& info, std::span<const double> values,
                    std::span<const std::size_t> start, std::span<const std::size_t> count) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError(file, info.name,
                       "non-finite value " + format_number(values[i]) + " at " +
                           NcFile::position(info, start, count, i) + "; expected a finite number");
    }
  }
}

// ---------------------------------------------------------------------------
// CF time
// ---------------------------------------------------------------------------

TimePoint cf_time(double value, const std::string& units, const std::string& calendar,
                  const std::string& file, const std::string& variable) {
  static const std::regex form(
      R"(^\s*([A-Za-z]+)\s+since\s+(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$)");
  std::smatch m;
  if (!std::regex_match(units, m, form)) {
    throw InputError(file, variable,
                     "units '" + units +
                         "' are not CF time units; expected '<seconds|minutes|hours|days> since "
                         "YYYY-MM-DD[ hh:mm:ss]'");
  }
  std::string unit = m[1].str();
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  double seconds_per_unit = 0.0;
  if (unit == "seconds" || unit == "second" || unit == "secs" || unit == "sec" || unit == "s") {
    seconds_per_unit = 1.0;
  } else if (unit == "minutes" || unit == "minute" || unit == "mins" || unit == "min") {
    seconds_per_unit = 60.0;
  } else if (unit == "hours" || unit == "hour" || unit == "hrs" || unit == "hr" || unit == "h") {
    seconds_per_unit = 3600.0;
  } else if (unit == "days" || unit == "day" || unit == "d") {
    seconds_per_unit = 86400.0;
  } else {
    throw InputError(file, variable,
                     "time unit '" + unit + "' in '" + units +
                         "' is not supported; expected seconds, minutes, hours or days (CF "
                         "discourages months and years)");
  }
  std::string cal = calendar;
  std::transform(cal.begin(), cal.end(), cal.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool proleptic = cal == "proleptic_gregorian";
  if (!(cal.empty() || cal == "standard" || cal == "gregorian" || proleptic)) {
    throw InputError(file, variable,
                     "calendar '" + calendar +
                         "' is not supported; expected standard, gregorian or proleptic_gregorian");
  }
  using namespace std::chrono;
  const int y = std::stoi(m[2].str());
  const unsigned mo = static_cast<unsigned>(std::stoi(m[3].str()));
  const unsigned d = static_cast<unsigned>(std::stoi(m[4].str()));
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok()) {
    throw InputError(file, variable, "reference date in '" + units + "' is not a valid date");
  }
  if (!proleptic && ymd < year_month_day{year{1582}, October, day{15}}) {
    throw InputError(file, variable,
                     "reference date in '" + units +
                         "' lies before 1582-10-15, where the standard (mixed Julian/Gregorian) "
                         "calendar differs from the Gregorian; expected a later reference date");
  }
  double ref_seconds = 0.0;
  if (m[5].matched) {
    ref_seconds = std::stoi(m[5].str()) * 3600.0 + std::stoi(m[6].str()) * 60.0;
    if (m[7].matched) ref_seconds += std::stod(m[7].str());
  }
  if (m[8].matched) {
    const std::string tz = m[8].str();
    if (tz[0] == '+' || tz[0] == '-') {
      std::string digits;
      for (char c : tz.substr(1)) {
        if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
      }
      int hh = 0, mm = 0;
      if (digits.size() <= 2) {
        hh = std::stoi(digits);
      } else {
        hh = std::stoi(digits.substr(0, digits.size() - 2));
        mm = std::stoi(digits.substr(digits.size() - 2));
      }
      const double offset = (hh * 3600.0 + mm * 60.0) * (tz[0] == '-' ? -1.0 : 1.0);
      ref_seconds -= offset;  // local time = UTC + offset
    }
  }
  if (!std::isfinite(value)) {
    throw InputError(file, variable, "time value " + format_number(value) + " is not finite");
  }
  const double total = ref_seconds + value * seconds_per_unit;
  return TimePoint{sys_days{ymd}} + seconds{std::llround(total)};
}

// ---------------------------------------------------------------------------
// NcWriter
// ---------------------------------------------------------------------------

NcWriter::NcWriter(std::string path, bool classic) : path_(std::move(path)), classic_(classic) {
  tmp_ = path_ + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  const int mode = NC_CLOBBER | (classic ? 0 : NC_NETCDF4);
  const int status = nc_create(tmp_.c_str(), mode, &id_);
  if (status != NC_NOERR) {
    id_ = -1;
    throw InputError(path_, "",
                     "cannot create the temporary file '" + tmp_ + "': " + nc_strerror(status));
  }
}

NcWriter::~NcWriter() {
  if (id_ >= 0) {
    nc_close(id_);
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
}

void NcWriter::fail(const std::string& variable, const std::string& what, int status) const {
  throw InputError(path_, variable, what + ": " + nc_strerror(status));
}

int NcWriter::varid(const std::string& var) const {
  if (var.empty()) return NC_GLOBAL;
  int id = -1;
  const int status = nc_inq_varid(id_, var.c_str(), &id);
  if (status != NC_NOERR) fail(var, "not defined in the file being written", status);
  return id;
}

void NcWriter::dimension(const std::string& name, std::size_t length) {
  int d = -1;
  const int status = nc_def_dim(id_, name.c_str(), length == 0 ? NC_UNLIMITED : length, &d);
  if (status != NC_NOERR) fail("", "cannot define dimension '" + name + "'", status);
}

void NcWriter::variable(const std::string& name, nc_type type, const std::vector<std::string>& dims,
                        int deflate_level, bool shuffle) {
  std::vector<int> ids;
  for (const auto& d : dims) {
    int id = -1;
    const int status = nc_inq_dimid(id_, d.c_str(), &id);
    if (status != NC_NOERR) fail(name, "dimension '" + d + "' is not defined", status);
    ids.push_back(id);
  }
  int v = -1;
  int status = nc_def_var(id_, name.c_str(), type, static_cast<int>(ids.size()), ids.data(), &v);
  if (status != NC_NOERR) fail(name, "cannot define the variable", status);
  if (!classic_ && deflate_level > 0 && !dims.empty()) {
    status = nc_def_var_deflate(id_, v, shuffle ? 1 : 0, 1, std::min(deflate_level, 9));
    if (status != NC_NOERR) fail(name, "cannot enable compression", status);
  }
}

void NcWriter::attribute(const std::string& var, const std::string& name, const std::string& text) {
  const int status = nc_put_att_text(id_, varid(var), name.c_str(), text.size(), text.c_str());
  if (status != NC_NOERR) fail(var, "cannot write attribute '" + name + "'", status);
}

void NcWriter::attribute(const std::string& var, const std::string& name,
                         std::span<const double> values, nc_type type) {
  const int status =
      nc_put_att_double(id_, varid(var), name.c_str(), type, values.size(), values.data());
  if (status != NC_NOERR) fail(var, "cannot write attribute '" + name + "'", status);
}

void NcWriter::data_mode() {
  if (!define_mode_) return;
  const int status = nc_enddef(id_);
  if (status != NC_NOERR) fail("", "cannot leave define mode", status);
  define_mode_ = false;
}

void NcWriter::write(const std::string& var, std::span<const double> values,
                     std::span<const std::size_t> start, std::span<const std::size_t> count) {
  const int v = varid(var);
  data_mode();
  int status = NC_NOERR;
  if (start.empty() && count.empty()) {
    status = nc_put_var_double(id_, v, values.data());
  } else {
    std::size_t n = 1;
    for (auto c : count) n *= c;
    if (n != values.size()) {
      throw InputError(path_, var,
                       "write of " + std::to_string(values.size()) +
                           " values into a hyperslab of " + std::to_string(n));
    }
    status = nc_put_vara_double(id_, v, start.data(), count.data(), values.data());
  }
  if (status != NC_NOERR) fail(var, "cannot write values", status);
}

void NcWriter::write_text(const std::string& var, const std::string& text,
                          std::span<const std::size_t> start, std::span<const std::size_t> count) {
  const int v = varid(var);
  data_mode();
  const int status = nc_put_vara_text(id_, v, start.data(), count.data(), text.c_str());
  if (status != NC_NOERR) fail(var, "cannot write text", status);
}

void NcWriter::commit() {
  if (id_ < 0) throw InputError(path_, "", "commit() called twice");
  const int status = nc_close(id_);
  id_ = -1;
  if (status != NC_NOERR) {
    std::error_code ec;
    fs::remove(tmp_, ec);
    throw InputError(path_, "", std::string("cannot finish writing: ") + nc_strerror(status));
  }
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp_, ec);
    throw InputError(path_, "", "cannot rename '" + tmp_ + "' onto the final name: " + why);
  }
}

}  // namespace fwaq::nc
