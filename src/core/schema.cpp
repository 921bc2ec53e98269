#include "core/schema.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "core/error.hpp"

namespace fwaq {

namespace {

/// Shortest decimal text that reads back as `v`.
std::string number_text(double v) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string parent_of(const std::string& dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string::npos ? std::string() : dotted.substr(0, dot);
}

std::string leaf_of(const std::string& dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string value_text(const YAML::Node& v) {
  YAML::Emitter e;
  e << YAML::Flow << v;
  return e.c_str();
}

constexpr const char* kAppendSuffix = "_append";

}  // namespace

std::string_view describe_type(ValueType type) {
  switch (type) {
    case ValueType::kText:
      return "a text";
    case ValueType::kPath:
      return "a file name";
    case ValueType::kPaths:
      return "a file name, a folder, a glob or a list of file names";
    case ValueType::kInteger:
      return "a whole number";
    case ValueType::kReal:
      return "a number";
    case ValueType::kFlag:
      return "true or false";
    case ValueType::kReals:
      return "a list of numbers, e.g. [1.0, 2.5]";
    case ValueType::kRules:
      return "a list of mappings";
  }
  return "?";
}

// ---- building -----------------------------------------------------------------------------

Schema::Section Schema::section(const std::string& dotted, const std::string& meaning) {
  // Every enclosing section exists too.
  for (std::string p = dotted; !p.empty(); p = parent_of(p)) {
    if (!sections_.count(p)) {
      sections_[p] = p == dotted ? meaning : "";
      section_order_.push_back(p);
    } else if (p == dotted && !meaning.empty()) {
      sections_[p] = meaning;
    }
  }
  return Section(this, dotted);
}

Schema::Section& Schema::Section::add(const std::string& key, ValueType type,
                                      std::string default_yaml, const std::string& meaning) {
  const std::string dotted = join(prefix_, key);
  if (schema_->index_.count(dotted) || schema_->sections_.count(dotted)) {
    throw std::logic_error("schema: key '" + dotted + "' is described twice");
  }
  KeySpec k;
  k.name = dotted;
  k.type = type;
  k.default_yaml = std::move(default_yaml);
  k.meaning = meaning;
  schema_->index_[dotted] = schema_->keys_.size();
  schema_->keys_.push_back(std::move(k));
  last_ = dotted;
  return *this;
}

Schema::Section& Schema::Section::text(const std::string& key, std::optional<std::string> def,
                                       const std::string& meaning) {
  std::string d;
  if (def) {
    YAML::Emitter e;
    e << *def;
    d = e.c_str();
  }
  return add(key, ValueType::kText, d, meaning);
}

Schema::Section& Schema::Section::path(const std::string& key, const std::string& meaning) {
  return add(key, ValueType::kPath, "", meaning);
}

Schema::Section& Schema::Section::paths(const std::string& key, const std::string& meaning) {
  return add(key, ValueType::kPaths, "", meaning);
}

Schema::Section& Schema::Section::integer(const std::string& key, std::optional<long long> def,
                                          const std::string& meaning) {
  return add(key, ValueType::kInteger, def ? std::to_string(*def) : "", meaning);
}

Schema::Section& Schema::Section::real(const std::string& key, std::optional<double> def,
                                       const std::string& meaning) {
  return add(key, ValueType::kReal, def ? number_text(*def) : "", meaning);
}

Schema::Section& Schema::Section::flag(const std::string& key, bool def,
                                       const std::string& meaning) {
  return add(key, ValueType::kFlag, def ? "true" : "false", meaning);
}

Schema::Section& Schema::Section::reals(const std::string& key,
                                        std::optional<std::vector<double>> def,
                                        const std::string& meaning) {
  std::string d;
  if (def) {
    d = "[";
    for (std::size_t i = 0; i < def->size(); ++i) d += (i ? ", " : "") + number_text((*def)[i]);
    d += "]";
  }
  return add(key, ValueType::kReals, d, meaning);
}

Schema::Section& Schema::Section::rules(const std::string& key, std::vector<std::string> item_keys,
                                        const std::string& meaning) {
  add(key, ValueType::kRules, "[]", meaning);
  KeySpec& k = schema_->keys_.back();
  k.item_keys = std::move(item_keys);
  k.appendable = true;
  return *this;
}

Schema::Section& Schema::Section::required() {
  schema_->keys_.at(schema_->index_.at(last_)).required = true;
  return *this;
}

Schema::Section& Schema::Section::not_inherited() {
  schema_->keys_.at(schema_->index_.at(last_)).inherited = false;
  return *this;
}

Schema::Section& Schema::Section::defaults_to_case_name() {
  schema_->keys_.at(schema_->index_.at(last_)).defaults_to_case_name = true;
  return *this;
}

Schema::Section Schema::Section::subsection(const std::string& key, const std::string& meaning) {
  return schema_->section(join(prefix_, key), meaning);
}

// ---- queries ------------------------------------------------------------------------------

const KeySpec* Schema::key(const std::string& dotted) const {
  const auto it = index_.find(dotted);
  return it == index_.end() ? nullptr : &keys_[it->second];
}

bool Schema::is_section(const std::string& dotted) const {
  return dotted.empty() || sections_.count(dotted) > 0;
}

const std::string& Schema::section_meaning(const std::string& dotted) const {
  static const std::string none;
  const auto it = sections_.find(dotted);
  return it == sections_.end() ? none : it->second;
}

std::vector<std::string> Schema::children(const std::string& dotted) const {
  std::vector<std::string> out;
  for (const auto& s : section_order_) {
    if (parent_of(s) == dotted) out.push_back(leaf_of(s));
  }
  for (const auto& k : keys_) {
    if (parent_of(k.name) == dotted) out.push_back(leaf_of(k.name));
  }
  return out;
}

std::string Schema::unknown_key_problem(const std::string& dotted) const {
  const std::string parent = parent_of(dotted), leaf = leaf_of(dotted);
  const std::vector<std::string> siblings = children(parent);
  std::string near = nearest_name(leaf, siblings);
  // A key of another section with exactly this name (e.g. `rtol` under `run`).
  std::string elsewhere;
  for (const auto& k : keys_) {
    if (leaf_of(k.name) == leaf && parent_of(k.name) != parent) {
      elsewhere = k.name;
      break;
    }
  }
  if (!near.empty() && (edit_distance(near, leaf) <= 1 || elsewhere.empty())) {
    return "unknown key; did you mean '" + near + "'?";
  }
  if (!elsewhere.empty()) return "unknown key; did you mean '" + elsewhere + "'?";
  std::string list;
  for (const auto& s : siblings) list += (list.empty() ? "" : ", ") + s;
  if (parent.empty()) return "unknown section; the sections of a case file are " + list;
  return "unknown key; the keys of '" + parent + "' are " + list;
}

// ---- checks -------------------------------------------------------------------------------

void Schema::check_value(const KeySpec& spec, const YAML::Node& value, const std::string& file,
                         const std::string& where) const {
  auto bad = [&](const std::string& what) {
    const std::string line = value.Mark().is_null() || file == kOverrideSource
                                 ? ""
                                 : " (line " + std::to_string(value.Mark().line + 1) + ")";
    throw InputError(file, where,
                     "value '" + value_text(value) + "'" + line + " is " + what + "; expected " +
                         std::string(describe_type(spec.type)) + " (" + spec.meaning + ")");
  };
  try {
    switch (spec.type) {
      case ValueType::kText:
      case ValueType::kPath:
        if (!value.IsScalar()) bad("not a single value");
        if (spec.type == ValueType::kPath && value.as<std::string>().empty()) bad("empty");
        return;
      case ValueType::kPaths:
        if (value.IsScalar() && !value.as<std::string>().empty()) return;
        if (!value.IsSequence() || value.size() == 0) bad("neither a name nor a list of names");
        for (const auto& x : value) {
          if (!x.IsScalar() || x.as<std::string>().empty()) bad("a list with an empty entry");
        }
        return;
      case ValueType::kInteger:
        if (!value.IsScalar()) bad("not a single value");
        (void)value.as<long long>();
        return;
      case ValueType::kReal:
        if (!value.IsScalar()) bad("not a single value");
        (void)value.as<double>();
        return;
      case ValueType::kFlag:
        if (!value.IsScalar()) bad("not a single value");
        (void)value.as<bool>();
        return;
      case ValueType::kReals:
        if (!value.IsSequence()) bad("not a list");
        for (const auto& x : value) (void)x.as<double>();
        return;
      case ValueType::kRules: {
        if (value.IsNull()) return;
        if (!value.IsSequence()) bad("not a list");
        std::size_t i = 0;
        for (const auto& item : value) {
          const std::string w = where + "[" + std::to_string(i++) + "]";
          if (!item.IsMap()) {
            throw InputError(file, w,
                             "value '" + value_text(item) + "' is not a mapping; expected {" +
                                 (spec.item_keys.empty() ? "" : spec.item_keys.front()) +
                                 ": ..., ...}");
          }
          for (const auto& kv : item) {
            const auto k = kv.first.as<std::string>();
            if (std::find(spec.item_keys.begin(), spec.item_keys.end(), k) !=
                spec.item_keys.end()) {
              continue;
            }
            const std::string near = nearest_name(k, spec.item_keys);
            std::string list;
            for (const auto& n : spec.item_keys) list += (list.empty() ? "" : ", ") + n;
            throw InputError(file, w + "." + k,
                             "unknown key" +
                                 (near.empty() ? "" : "; did you mean '" + near + "'?") +
                                 " (a rule's keys are " + list + ")");
          }
        }
        return;
      }
    }
  } catch (const YAML::Exception&) {
    bad("of the wrong type");
  }
}

void Schema::check(const YAML::Node& root, const std::string& file,
                   const std::string& prefix) const {
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    throw InputError(file, prefix,
                     "value '" + value_text(root) + "' is not a mapping of keys (" +
                         section_meaning(prefix) + ")");
  }
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    const std::string dotted = join(prefix, k);
    if (prefix.empty() && k == "base") continue;
    if (const KeySpec* spec = key(dotted)) {
      check_value(*spec, kv.second, file, dotted);
      continue;
    }
    if (is_section(dotted)) {
      check(kv.second, file, dotted);
      continue;
    }
    const std::size_t n = std::char_traits<char>::length(kAppendSuffix);
    if (dotted.size() > n && dotted.compare(dotted.size() - n, n, kAppendSuffix) == 0) {
      const KeySpec* list = key(dotted.substr(0, dotted.size() - n));
      if (list && list->appendable) {
        check_value(*list, kv.second, file, dotted);
        continue;
      }
    }
    throw InputError(file, dotted, unknown_key_problem(dotted));
  }
}

// ---- suggestions --------------------------------------------------------------------------

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best.empty()) return "";
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const bool prefix = std::min(word.size(), best.size()) >= 3 &&
                      (best.rfind(word, 0) == 0 || word.rfind(best, 0) == 0);
  if (best_d <= limit || prefix) return best;
  // A prefix match further away than the nearest key (e.g. `spinup` for `spinup_hours`).
  for (const auto& c : candidates) {
    if (word.size() >= 3 && c.rfind(word, 0) == 0) return c;
  }
  return "";
}

}  // namespace fwaq
