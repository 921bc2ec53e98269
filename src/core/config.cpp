#include "core/config.hpp"

#include <fstream>
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

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return load_with_base(path, overrides, 0);
}

Config Config::load_with_base(const std::string& path, const std::vector<std::string>& overrides,
                              int depth) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open the case file");
  std::stringstream text;
  text << in.rdbuf();
  Config c = from_string(text.str(), std::filesystem::path(path).parent_path().string(), path);
  if (c.state_->root["base"].IsDefined()) {
    if (depth > 8) throw InputError(path, "base", "more than 8 nested base files (a cycle?)");
    const YAML::Node b = c.state_->root["base"];
    if (!b.IsScalar()) throw InputError(path, "base", "must be a file name");
    std::filesystem::path bp = b.as<std::string>();
    if (bp.is_relative()) bp = c.state_->base_dir / bp;
    const Config base = load_with_base(bp.lexically_normal().string(), {}, depth + 1);
    YAML::Node top = YAML::Clone(c.state_->root);
    top.remove("base");
    std::map<std::string, std::filesystem::path> origin;
    c.state_->root = merge_over(base.state_->root, top, "", base.state_->base_dir,
                                base.state_->origin_dir, origin);
    c.state_->origin_dir = std::move(origin);
  }
  for (const auto& ov : overrides) {
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
    // Walk the dotted path; the key must already exist (no silent typos).
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    std::vector<YAML::Node> chain{c.state_->root};
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
  }
  return c;
}

bool Config::has(const std::string& section) const {
  return state_->root[section].IsDefined();
}

ConfigSection Config::section(const std::string& name) const {
  const YAML::Node n = state_->root[name];
  if (!n.IsDefined()) throw InputError(state_->path, name, "required section is missing");
  if (!n.IsMap()) throw InputError(state_->path, name, "must be a mapping of keys");
  return ConfigSection(state_, n, name);
}

std::string Config::resolved_yaml() const {
  YAML::Emitter e;
  e << state_->root;
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
