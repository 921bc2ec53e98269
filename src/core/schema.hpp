#pragma once
// The schema of a YAML configuration: every section and key it may hold, with the
// key's type, its default (where there is one) and a one-line meaning. A case file is
// checked against the case schema (case_schema()) when it is loaded: a key the schema
// does not know is an InputError naming the file, the dotted key and the nearest valid
// key; a value of the wrong type likewise. After loading, every key with a default that
// the case leaves out is filled in, so the schema is the one place defaults live and the
// resolved configuration shows every value the run used.
//
// Modules describe their own section next to the code that reads it, e.g.
//   void ChemistryOptions::describe_keys(Schema::Section s) {
//     const ChemistryOptions d;  // the defaults from_config falls back to
//     s.real("rtol", d.rtol, "relative tolerance of the Rosenbrock solver [1]");
//   }
// and model/case_schema.cpp lists the sections of a case file.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fwaq {

enum class ValueType {
  kText,     ///< a string
  kPath,     ///< a file name, relative to the folder of the file that sets it
  kPaths,    ///< a file name, a folder, a glob, or a list of file names
  kInteger,  ///< a whole number
  kReal,     ///< a number
  kFlag,     ///< true or false
  kReals,    ///< a list of numbers
  kRules,    ///< a list of mappings whose keys are KeySpec::item_keys
};

/// The "file" of values set on the command line (`--set key=value`), in messages.
inline constexpr const char* kOverrideSource = "--set";

/// What a value of `type` must look like, for messages ("a number", ...).
std::string_view describe_type(ValueType type);

struct KeySpec {
  std::string name;  ///< dotted, e.g. "chemistry.rtol"
  ValueType type = ValueType::kText;
  /// Default as YAML (a scalar or a flow sequence); empty: no default.
  std::string default_yaml;
  std::string meaning;  ///< one line, with the unit in brackets
  /// The key must be given (no default; checked by `fwaq run --dry-run`).
  bool required = false;
  /// A list that a case may extend with `<key>_append` instead of replacing it.
  bool appendable = false;
  /// false: not taken over from a `base:` file (e.g. a scenario's name).
  bool inherited = true;
  /// true: the default is the case file's name without its extension.
  bool defaults_to_case_name = false;
  /// kRules: the keys an item may have.
  std::vector<std::string> item_keys;

  bool has_default() const { return !default_yaml.empty() || defaults_to_case_name; }
};

class Schema {
 public:
  /// Adds keys to one section; every adder returns the section for chaining.
  class Section {
   public:
    Section(Schema* schema, std::string prefix) : schema_(schema), prefix_(std::move(prefix)) {}
    Section& text(const std::string& key, std::optional<std::string> def,
                  const std::string& meaning);
    Section& path(const std::string& key, const std::string& meaning);
    Section& paths(const std::string& key, const std::string& meaning);
    Section& integer(const std::string& key, std::optional<long long> def,
                     const std::string& meaning);
    Section& real(const std::string& key, std::optional<double> def, const std::string& meaning);
    Section& flag(const std::string& key, bool def, const std::string& meaning);
    Section& reals(const std::string& key, std::optional<std::vector<double>> def,
                   const std::string& meaning);
    /// A list of rules (mappings with `item_keys`), appendable with `<key>_append`;
    /// default: no rules.
    Section& rules(const std::string& key, std::vector<std::string> item_keys,
                   const std::string& meaning);
    /// Modifies the key added last.
    Section& required();
    Section& not_inherited();
    Section& defaults_to_case_name();
    /// A nested section `prefix.key`.
    Section subsection(const std::string& key, const std::string& meaning);
    const std::string& name() const { return prefix_; }

   private:
    Section& add(const std::string& key, ValueType type, std::string default_yaml,
                 const std::string& meaning);
    Schema* schema_;
    std::string prefix_;
    std::string last_;
  };

  /// A top-level (or dotted, nested) section, created on first use.
  Section section(const std::string& dotted, const std::string& meaning);

  /// The key `dotted`, or nullptr.
  const KeySpec* key(const std::string& dotted) const;
  /// True if `dotted` is a section ("" is the top level).
  bool is_section(const std::string& dotted) const;
  const std::string& section_meaning(const std::string& dotted) const;
  /// Every key, in the order they were added.
  const std::vector<KeySpec>& keys() const { return keys_; }
  /// Names (not dotted) of the keys and sections directly inside section `dotted`.
  std::vector<std::string> children(const std::string& dotted) const;

  /// Problem text for an unknown key: "unknown key; did you mean 'rtol'?" or, with no
  /// likely typo, the valid keys of its section.
  std::string unknown_key_problem(const std::string& dotted) const;
  /// Checks every key of a configuration mapping `root` (one file's own text, or a
  /// value set at `prefix`) against the schema: unknown keys and mistyped values are an
  /// InputError naming `file` and the dotted key. `<key>_append` is accepted for
  /// appendable lists; a top-level `base` is skipped.
  void check(const YAML::Node& root, const std::string& file, const std::string& prefix = "") const;
  /// Checks one value against its key's type (InputError naming `file` and `where`).
  void check_value(const KeySpec& spec, const YAML::Node& value, const std::string& file,
                   const std::string& where) const;

 private:
  friend class Section;
  std::vector<KeySpec> keys_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> sections_;  // dotted name -> meaning
  std::vector<std::string> section_order_;
};

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbouring characters each count 1.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `word` if it is close enough to be a likely typo
/// (distance <= max(2, length / 3), or one is a prefix of the other), else "".
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

/// The schema of a case file, built once from every module's description. Defined in
/// model/case_schema.cpp, which lists the sections.
const Schema& case_schema();

}  // namespace fwaq
