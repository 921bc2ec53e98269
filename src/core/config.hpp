#pragma once
// Case configuration: one YAML file per run. Every module reads its own section
// through ConfigSection; keys nobody read are an error (a misspelt key must not be
// silently ignored), required keys are explicit, and command-line overrides
// `section.key=value` (or deeper, `a.b.c=value`) are applied before reading.
// A case file may start from another: a top-level `base: other.yaml` (relative to the
// file) loads that file first and lays this one over it (mappings merge key by key,
// everything else replaces); relative paths keep resolving against the folder of the
// file that wrote them.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace fwaq {

class ConfigSection;

class Config {
 public:
  /// Loads `path` and applies overrides of the form "a.b.c=value" (value parsed as
  /// YAML, so numbers, lists `[1, 2]` and strings all work). Throws InputError
  /// (unreadable file or YAML syntax, with line and column) or UsageError (a bad override).
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  /// From YAML text (tests); relative paths resolve against `base_dir`.
  static Config from_string(const std::string& yaml, const std::string& base_dir = ".",
                            const std::string& name = "<string>");

  const std::string& path() const { return state_->path; }
  bool has(const std::string& section) const;
  /// A top-level section; throws InputError naming the file if it is missing.
  ConfigSection section(const std::string& name) const;
  /// The resolved configuration (after overrides) as YAML text, for output metadata.
  std::string resolved_yaml() const;
  /// Throws InputError listing every key that no module read.
  void check_all_used() const;

  struct State {
    std::string path;
    std::filesystem::path base_dir;
    YAML::Node root;
    std::set<std::string> used;  // dotted keys that were read
    /// Folder of the file that set each value inherited through `base:` (dotted key),
    /// against which that file's relative paths resolve.
    std::map<std::string, std::filesystem::path> origin_dir;
  };

 private:
  static Config load_with_base(const std::string& path, const std::vector<std::string>& overrides,
                               int depth);
  std::shared_ptr<State> state_;
};

/// A mapping inside the configuration, with typed access.
class ConfigSection {
 public:
  ConfigSection(std::shared_ptr<Config::State> state, YAML::Node node, std::string prefix)
      : state_(std::move(state)), node_(std::move(node)), prefix_(std::move(prefix)) {}

  bool has(const std::string& key) const;
  /// Value of a required key; InputError (file, key, expected type) if missing or mistyped.
  template <class T>
  T required(const std::string& key) const;
  /// Value of an optional key, or `fallback`.
  template <class T>
  T optional(const std::string& key, const T& fallback) const {
    return has(key) ? required<T>(key) : fallback;
  }
  /// A nested mapping (required).
  ConfigSection subsection(const std::string& key) const;
  /// A path value resolved against the case file's folder.
  std::filesystem::path path(const std::string& key) const;
  /// Keys present in this mapping (marks nothing as used).
  std::vector<std::string> keys() const;
  /// Dotted name of `key` in this section, e.g. "domain.nx".
  std::string name(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }
  const std::string& file() const { return state_->path; }

 private:
  YAML::Node get(const std::string& key) const;
  std::shared_ptr<Config::State> state_;
  YAML::Node node_;
  std::string prefix_;
};

template <class T>
T ConfigSection::required(const std::string& key) const {
  const YAML::Node n = get(key);
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    throw InputError(state_->path, name(key),
                     "value '" + YAML::Dump(n) + "' (line " + std::to_string(n.Mark().line + 1) +
                         ") has the wrong type");
  }
}

}  // namespace fwaq
