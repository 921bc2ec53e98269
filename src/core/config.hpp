#pragma once
// Case configuration: one YAML file per run. Every module reads its own section
// through ConfigSection; required keys are explicit, and command-line overrides
// `section.key=value` (or deeper, `a.b.c=value`) are applied before reading.
//
// A case file is checked against the case schema (core/schema.hpp) as it is loaded, so
// no caller can skip the check: a key the schema does not know, in any section, is an
// InputError naming the file, the dotted key and the nearest valid key, before any work
// is done. Overrides may set any key the schema knows, present in the case or not, and
// are refused (UsageError) for keys it does not know. After loading, every key with a
// default that the case leaves out is filled in from the schema.
//
// A case file may start from another: a top-level `base: other.yaml` (relative to the
// file) loads that file first and lays this one over it: mappings merge key by key,
// everything else, lists included, replaces. A list the schema marks appendable (e.g.
// scenario.emission_scaling) can instead be extended: `emission_scaling_append: [...]`
// adds its items after the base's. Keys the schema marks not inherited (scenario.name,
// scenario.description) are not taken from the base. Relative paths keep resolving
// against the folder of the file that wrote them; a path set by an override resolves
// against the working directory.
//
// Other YAML documents (the inventory definition) are loaded with load_unchecked() and
// check their keys with check_all_used() after reading.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/schema.hpp"

namespace fwaq {

class ConfigSection;

class Config {
 public:
  /// Loads the case file `path`, checks it against case_schema(), applies overrides of
  /// the form "a.b.c=value" (value parsed as YAML, so numbers, lists `[1, 2]` and strings
  /// all work; "a.b.list_append=[...]" extends an appendable list) and fills in the
  /// defaults. Throws InputError (unreadable file, YAML syntax with line and column,
  /// unknown key, mistyped value) or UsageError (a bad override).
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  /// The same against another schema (tests, other kinds of case-like files).
  static Config load(const std::string& path, const std::vector<std::string>& overrides,
                     const Schema& schema);
  /// A YAML document without a schema: any keys; overrides may only replace existing
  /// keys. The reader calls check_all_used() when done.
  static Config load_unchecked(const std::string& path,
                               const std::vector<std::string>& overrides = {});
  /// From YAML text without a schema (tests, `fwaq bench`); relative paths resolve
  /// against `base_dir`.
  static Config from_string(const std::string& yaml, const std::string& base_dir = ".",
                            const std::string& name = "<string>");

  const std::string& path() const { return state_->path; }
  bool has(const std::string& section) const;
  /// True if the dotted key (e.g. "chemistry.rtol") has a value.
  bool has_key(const std::string& dotted) const;
  /// A top-level section; throws InputError naming the file if it is missing.
  ConfigSection section(const std::string& name) const;
  /// The resolved configuration (after overrides, defaults filled in, file names
  /// resolved to absolute paths) as YAML text, for output metadata.
  std::string resolved_yaml() const;
  /// The same with every key's meaning as a comment and "(default)" on values the case
  /// did not set (schema-checked configurations; `fwaq run --dry-run`).
  std::string annotated_yaml() const;
  /// The schema the configuration was checked against (nullptr: none).
  const Schema* schema() const { return state_->schema; }
  /// The file that set item `index` of the appendable list `dotted` (a base file, the
  /// case file itself or "--set"), for messages.
  std::string item_file(const std::string& dotted, std::size_t index) const;
  /// Throws InputError listing every key that no module read (documents loaded without
  /// a schema; a case file is checked against its schema when it is loaded).
  void check_all_used() const;

  struct State {
    std::string path;
    std::filesystem::path base_dir;
    YAML::Node root;
    std::set<std::string> used;  // dotted keys that were read
    /// Folder of the file that set each value inherited through `base:` (dotted key),
    /// against which that file's relative paths resolve.
    std::map<std::string, std::filesystem::path> origin_dir;
    const Schema* schema = nullptr;
    std::set<std::string> defaulted;  // dotted keys filled in from the schema's defaults
    /// Appendable lists: the file that set each item.
    std::map<std::string, std::vector<std::string>> item_files;
  };

 private:
  static Config load_impl(const std::string& path, const std::vector<std::string>& overrides,
                          const Schema* schema);
  static Config load_with_base(const std::string& path, const Schema* schema, int depth);
  void apply_override(const std::string& override_text);
  void fill_defaults();
  std::filesystem::path resolve(const std::string& dotted, const std::string& value) const;
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
