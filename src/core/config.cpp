#include "core/config.hpp"

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace fwaq {

namespace {

void collect_keys(const YAML::Node& node, const std::string& prefix,
                  std::vector<std::string>& out) {
  if (!node.IsMap()) {
    out.push_back(prefix);
    return;
  }
  for (const auto& kv : node) {
    const std::string k = kv.first.as<std::string>();
    collect_keys(kv.second, prefix.empty() ? k : prefix + "." + k, out);
  }
}

}  // namespace

Config Config::from_string(const std::string& yaml, const std::string& base_dir,
                           const std::string& name) {
  Config c;
  c.state_ = std::make_shared<State>();
  c.state_->path = name;
  c.state_->base_dir = base_dir;
  try {
    c.state_->root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw InputError(name, "",
                     "YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!c.state_->root.IsMap()) throw InputError(name, "", "the case file must be a YAML mapping");
  return c;
}

namespace {

/// Origin folder of a dotted key: its own entry or its nearest parent's, else `fallback`.
std::filesystem::path origin_of(const std::map<std::string, std::filesystem::path>& origin,
                                std::string dotted, const std::filesystem::path& fallback) {
  while (true) {
    const auto it = origin.find(dotted);
    if (it != origin.end()) return it->second;
    const auto dot = dotted.rfind('.');
    if (dot == std::string::npos) return fallback;
    dotted.resize(dot);
  }
}

/// Lays `top` over `base` (a copy): mappings merge key by key, anything else replaces.
/// Leaves that come from `base` keep their origin folder in `origin` (dotted keys).
YAML::Node merge_over(const YAML::Node& base, const YAML::Node& top, const std::string& prefix,
                      const std::filesystem::path& base_dir,
                      const std::map<std::string, std::filesystem::path>& base_origin,
                      std::map<std::string, std::filesystem::path>& origin) {
  if (!base.IsMap() || !top.IsMap()) return YAML::Clone(top);
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : base) {
    const std::string key = kv.first.as<std::string>();
    const std::string dotted = prefix.empty() ? key : prefix + "." + key;
    if (top[key].IsDefined()) {
      out[key] = merge_over(kv.second, top[key], dotted, base_dir, base_origin, origin);
    } else {
      out[key] = YAML::Clone(kv.second);
      // Everything below `dotted` came from the base file (or from its own bases).
      origin[dotted] = origin_of(base_origin, dotted, base_dir);
      for (const auto& [k, dir] : base_origin) {
        if (k.rfind(dotted + ".", 0) == 0) origin[k] = dir;
      }
    }
  }
  for (const auto& kv : top) {
    const std::string key = kv.first.as<std::string>();
    if (!base[key].IsDefined()) out[key] = YAML::Clone(kv.second);
  }
  return out;
}

}  // namespace

namespace {

std::vector<std::string> split_dotted(const std::string& dotted) {
  std::vector<std::string> parts;
  std::stringstream ss(dotted);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  return parts;
}

/// The node at `dotted` below `root`, if there is one.
std::optional<YAML::Node> lookup(const YAML::Node& root, const std::string& dotted) {
  YAML::Node cur = root;
  for (const auto& p : split_dotted(dotted)) {
    if (!cur.IsMap()) return std::nullopt;
    const YAML::Node& c = cur;
    const YAML::Node next = c[p];
    if (!next.IsDefined()) return std::nullopt;
    cur.reset(next);
  }
  return cur;
}

/// Sets `dotted` below `root` to `value`, creating (or replacing empty) mappings on the
/// way. False if a value on the way is not a mapping.
bool assign(YAML::Node root, const std::string& dotted, const YAML::Node& value) {
  const auto parts = split_dotted(dotted);
  YAML::Node cur = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const YAML::Node& c = cur;
    if (!c[parts[i]].IsDefined() || c[parts[i]].IsNull()) {
      cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
    }
    YAML::Node next = cur[parts[i]];
    if (!next.IsMap()) return false;
    cur.reset(next);
  }
  cur[parts.back()] = value;
  return true;
}

void erase(YAML::Node root, const std::string& dotted) {
  const auto dot = dotted.rfind('.');
  if (dot == std::string::npos) {
    root.remove(dotted);
    return;
  }
  if (auto parent = lookup(root, dotted.substr(0, dot)); parent && parent->IsMap()) {
    parent->remove(dotted.substr(dot + 1));
  }
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

const std::string kAppend = "_append";

}  // namespace

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return load_impl(path, overrides, &case_schema());
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides,
                    const Schema& schema) {
  return load_impl(path, overrides, &schema);
}

Config Config::load_unchecked(const std::string& path, const std::vector<std::string>& overrides) {
  return load_impl(path, overrides, nullptr);
}

Config Config::load_impl(const std::string& path, const std::vector<std::string>& overrides,
                         const Schema* schema) {
  Config c = load_with_base(path, schema, 0);
  for (const auto& ov : overrides) c.apply_override(ov);
  if (schema) c.fill_defaults();
  return c;
}

Config Config::load_with_base(const std::string& path, const Schema* schema, int depth) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open the case file");
  std::stringstream text;
  text << in.rdbuf();
  Config c = from_string(text.str(), std::filesystem::path(path).parent_path().string(), path);
  c.state_->schema = schema;
  // This file's own keys, so that an error names the file that holds the key.
  if (schema) schema->check(c.state_->root, path);
  YAML::Node top = YAML::Clone(c.state_->root);
  top.remove("base");
  bool has_base = false;
  YAML::Node base_root;
  std::filesystem::path base_dir;                            // the base file's folder
  std::map<std::string, std::filesystem::path> base_origin;  // and its keys' origins
  if (c.state_->root["base"].IsDefined()) {
    if (depth > 8) throw InputError(path, "base", "more than 8 nested base files (a cycle?)");
    const YAML::Node b = c.state_->root["base"];
    if (!b.IsScalar()) throw InputError(path, "base", "must be a file name");
    std::filesystem::path bp = b.as<std::string>();
    if (bp.is_relative()) bp = c.state_->base_dir / bp;
    const Config base = load_with_base(bp.lexically_normal().string(), schema, depth + 1);
    has_base = true;
    base_root = YAML::Clone(base.state_->root);
    c.state_->item_files = base.state_->item_files;
    base_dir = base.state_->base_dir;
    base_origin = base.state_->origin_dir;
    if (schema) {
      for (const KeySpec& k : schema->keys()) {
        if (!k.inherited) erase(base_root, k.name);
      }
    }
  }
  // Appendable lists: `<key>_append` adds its items after the list this file starts
  // from (its own `<key>` if it gives one, else the base's).
  if (schema) {
    for (const KeySpec& k : schema->keys()) {
      if (!k.appendable) continue;
      const auto own = lookup(top, k.name);
      const auto extra = lookup(top, k.name + kAppend);
      std::vector<std::string>& files = c.state_->item_files[k.name];
      if (own) files.clear();
      if (!extra) {
        if (own && own->IsSequence()) files.assign(own->size(), path);
        continue;
      }
      YAML::Node list(YAML::NodeType::Sequence);
      std::optional<YAML::Node> start = own;
      if (!start && has_base) start = lookup(base_root, k.name);
      if (own && own->IsSequence()) files.assign(own->size(), path);
      if (start && start->IsSequence()) {
        for (const auto& item : *start) list.push_back(YAML::Clone(item));
      }
      if (extra->IsSequence()) {
        for (const auto& item : *extra) {
          list.push_back(YAML::Clone(item));
          files.push_back(path);
        }
      }
      erase(top, k.name + kAppend);
      assign(top, k.name, list);
    }
  }
  if (has_base) {
    std::map<std::string, std::filesystem::path> origin;
    c.state_->root = merge_over(base_root, top, "", base_dir, base_origin, origin);
    c.state_->origin_dir = std::move(origin);
  } else {
    c.state_->root = top;
  }
  return c;
}

void Config::apply_override(const std::string& ov) {
  const std::string& path = state_->path;
  const auto eq = ov.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError("override '" + ov + "' is not of the form section.key=value");
  }
  const std::string key = ov.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(ov.substr(eq + 1));
  } catch (const YAML::Exception&) {
    throw UsageError("override '" + ov + "': cannot read the value as YAML");
  }
  const Schema* schema = state_->schema;
  if (!schema) {
    // Walk the dotted path; the key must already exist (no silent typos).
    std::vector<std::string> parts = split_dotted(key);
    std::vector<YAML::Node> chain{state_->root};
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      YAML::Node next = chain.back()[parts[i]];
      if (!next.IsDefined() || !next.IsMap()) {
        throw UsageError("override '" + ov + "': no section '" + parts[i] + "' in " + path);
      }
      chain.push_back(next);
    }
    if (!chain.back()[parts.back()].IsDefined()) {
      throw UsageError("override '" + ov + "': no key '" + key + "' in " + path);
    }
    chain.back()[parts.back()] = value;
    return;
  }

  // With a schema: any key it knows, present in the case or not.
  const KeySpec* spec = schema->key(key);
  const KeySpec* list = nullptr;  // `<list>_append`
  if (!spec && ends_with(key, kAppend)) {
    list = schema->key(key.substr(0, key.size() - kAppend.size()));
    if (list && !list->appendable) list = nullptr;
  }
  if (!spec && !list && !schema->is_section(key)) {
    throw UsageError("override '" + ov + "': no key '" + key + "' in a case file (" +
                     schema->unknown_key_problem(key) + ")");
  }
  // A mistyped value is an InputError naming "--set" and the key, as a value out of
  // range is when the module reads it.
  if (spec || list) {
    schema->check_value(spec ? *spec : *list, value, kOverrideSource, key);
  } else {
    schema->check(value, kOverrideSource, key);
  }
  if (list) {
    YAML::Node merged(YAML::NodeType::Sequence);
    if (const auto old = lookup(state_->root, list->name); old && old->IsSequence()) {
      for (const auto& item : *old) merged.push_back(item);
    }
    std::vector<std::string>& files = state_->item_files[list->name];
    if (value.IsSequence()) {
      for (const auto& item : value) {
        merged.push_back(item);
        files.push_back(kOverrideSource);
      }
    }
    assign(state_->root, list->name, merged);
    return;
  }
  if (!assign(state_->root, key, value)) {
    throw UsageError("override '" + ov + "': a value on the way to '" + key + "' in " + path +
                     " is not a mapping");
  }
  if (spec && spec->appendable) {
    state_->item_files[key].assign(value.IsSequence() ? value.size() : 0, kOverrideSource);
  }
  // File names given on the command line are relative to the working directory.
  for (auto it = state_->origin_dir.begin(); it != state_->origin_dir.end();) {
    it = it->first.rfind(key + ".", 0) == 0 ? state_->origin_dir.erase(it) : std::next(it);
  }
  state_->origin_dir[key] = std::filesystem::current_path();
}

void Config::fill_defaults() {
  for (const KeySpec& k : state_->schema->keys()) {
    if (!k.has_default() || lookup(state_->root, k.name)) continue;
    YAML::Node value = k.defaults_to_case_name
                           ? YAML::Node(std::filesystem::path(state_->path).stem().string())
                           : YAML::Load(k.default_yaml);
    if (assign(state_->root, k.name, value)) state_->defaulted.insert(k.name);
  }
}

std::string Config::item_file(const std::string& dotted, std::size_t index) const {
  const auto it = state_->item_files.find(dotted);
  if (it == state_->item_files.end() || index >= it->second.size()) return state_->path;
  return it->second[index];
}

std::filesystem::path Config::resolve(const std::string& dotted, const std::string& value) const {
  std::filesystem::path p = value;
  if (p.is_relative()) p = origin_of(state_->origin_dir, dotted, state_->base_dir) / p;
  return p.lexically_normal();
}

bool Config::has(const std::string& section) const {
  return state_->root[section].IsDefined();
}

bool Config::has_key(const std::string& dotted) const {
  return lookup(state_->root, dotted).has_value();
}

ConfigSection Config::section(const std::string& name) const {
  const YAML::Node n = state_->root[name];
  if (!n.IsDefined()) throw InputError(state_->path, name, "required section is missing");
  if (!n.IsMap()) throw InputError(state_->path, name, "must be a mapping of keys");
  return ConfigSection(state_, n, name);
}

namespace {

/// Writes mapping `n` (at `prefix`) with the schema's meanings as comments.
void emit_annotated(
    YAML::Emitter& e, const YAML::Node& n, const std::string& prefix, const Config::State& st,
    const std::function<std::string(const std::string&, const std::string&)>& resolve_path) {
  const Schema& schema = *st.schema;
  e << YAML::BeginMap;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    const std::string dotted = prefix.empty() ? k : prefix + "." + k;
    e << YAML::Key << k << YAML::Value;
    const KeySpec* spec = schema.key(dotted);
    if (spec) {
      if (spec->type == ValueType::kPath && kv.second.IsScalar()) {
        e << resolve_path(dotted, kv.second.as<std::string>());
      } else if (spec->type == ValueType::kReals) {
        YAML::Node v = YAML::Clone(kv.second);
        v.SetStyle(YAML::EmitterStyle::Flow);
        e << v;
      } else if (spec->type == ValueType::kRules && kv.second.IsSequence()) {
        // One rule a line, the meaning on the key's line.
        YAML::Node v = YAML::Clone(kv.second);
        v.SetStyle(YAML::EmitterStyle::Block);
        for (auto item : v) item.SetStyle(YAML::EmitterStyle::Flow);
        e << YAML::Comment(spec->meaning + (st.defaulted.count(dotted) ? " (default)" : "")) << v;
        continue;
      } else {
        e << kv.second;
      }
      e << YAML::Comment(spec->meaning + (st.defaulted.count(dotted) ? " (default)" : ""));
    } else if (kv.second.IsMap()) {
      emit_annotated(e, kv.second, dotted, st, resolve_path);
    } else {
      e << kv.second;
    }
  }
  e << YAML::EndMap;
}

}  // namespace

std::string Config::resolved_yaml() const {
  YAML::Node root = YAML::Clone(state_->root);
  if (state_->schema) {
    for (const KeySpec& k : state_->schema->keys()) {
      if (k.type != ValueType::kPath) continue;
      const auto v = lookup(root, k.name);
      if (!v || !v->IsScalar()) continue;
      assign(root, k.name,
             YAML::Node(std::filesystem::absolute(resolve(k.name, v->as<std::string>()))
                            .lexically_normal()
                            .string()));
    }
  }
  YAML::Emitter e;
  e << root;
  return e.c_str();
}

std::string Config::annotated_yaml() const {
  if (!state_->schema) return resolved_yaml();
  YAML::Emitter e;
  emit_annotated(
      e, state_->root, "", *state_, [this](const std::string& dotted, const std::string& value) {
        return std::filesystem::absolute(resolve(dotted, value)).lexically_normal().string();
      });
  return e.c_str();
}

void Config::check_all_used() const {
  std::vector<std::string> keys;
  collect_keys(state_->root, "", keys);
  std::string unused;
  for (const auto& k : keys) {
    bool used = false;
    // A key counts as used if it or one of its parents was read as a whole.
    for (std::string p = k;; p = p.substr(0, p.rfind('.'))) {
      if (state_->used.count(p)) {
        used = true;
        break;
      }
      if (p.find('.') == std::string::npos) break;
    }
    if (!used) unused += (unused.empty() ? "" : ", ") + k;
  }
  if (!unused.empty()) throw InputError(state_->path, "", "unknown or unused keys: " + unused);
}

bool ConfigSection::has(const std::string& key) const {
  return node_[key].IsDefined();
}

YAML::Node ConfigSection::get(const std::string& key) const {
  const YAML::Node n = node_[key];
  if (!n.IsDefined()) throw InputError(state_->path, name(key), "required key is missing");
  state_->used.insert(name(key));
  return n;
}

ConfigSection ConfigSection::subsection(const std::string& key) const {
  const YAML::Node n = node_[key];
  if (!n.IsDefined()) throw InputError(state_->path, name(key), "required section is missing");
  if (!n.IsMap()) throw InputError(state_->path, name(key), "must be a mapping of keys");
  return ConfigSection(state_, n, name(key));
}

std::filesystem::path ConfigSection::path(const std::string& key) const {
  std::filesystem::path p = required<std::string>(key);
  if (p.is_relative()) {
    p = origin_of(state_->origin_dir, name(key), state_->base_dir) / p;
  }
  return p.lexically_normal();
}

std::vector<std::string> ConfigSection::keys() const {
  std::vector<std::string> k;
  for (const auto& kv : node_) k.push_back(kv.first.as<std::string>());
  return k;
}

}  // namespace fwaq
