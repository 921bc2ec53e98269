#pragma once
// Typed exceptions for set-up errors. Hot paths return status values instead;
// these are thrown when a run cannot start or an input is unusable, and the
// command-line front end turns them into a message and a non-zero exit code.
#include <stdexcept>
#include <string>

namespace fwaq {

/// Wrong use of the command line or of a configuration key (exit code 2).
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

/// An input file, variable or value that cannot be used (exit code 3).
/// The message names the file, the variable, the offending value or position,
/// and what was expected.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, const std::string& variable, const std::string& problem)
      : std::runtime_error(file + ": " + (variable.empty() ? "" : "variable '" + variable + "': ") +
                           problem),
        file_(file),
        variable_(variable) {}
  const std::string& file() const { return file_; }
  const std::string& variable() const { return variable_; }

 private:
  std::string file_;
  std::string variable_;
};

/// A numerical failure during a run (exit code 4): the message says where and when.
class NumericalError : public std::runtime_error {
 public:
  explicit NumericalError(const std::string& what) : std::runtime_error(what) {}
};

/// A run stopped by SIGTERM or SIGINT after saving its state (exit code 143, as a shell
/// reports a process ended by SIGTERM): the message says where the checkpoint is.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace fwaq
