#include "chem/rosenbrock.hpp"

#include <cmath>

namespace fwaq::chem {

const RosenbrockTableau& tableau(RosenbrockMethod m) {
  static constexpr RosenbrockTableau ros2 = make_tableau(RosenbrockMethod::kRos2),
                                     ros3 = make_tableau(RosenbrockMethod::kRos3),
                                     rodas3 = make_tableau(RosenbrockMethod::kRodas3);
  switch (m) {
    case RosenbrockMethod::kRos2:
      return ros2;
    case RosenbrockMethod::kRos3:
      return ros3;
    case RosenbrockMethod::kRodas3:
      return rodas3;
  }
  return ros3;
}

std::string_view method_name(RosenbrockMethod m) {
  switch (m) {
    case RosenbrockMethod::kRos2:
      return "ros2";
    case RosenbrockMethod::kRos3:
      return "ros3";
    case RosenbrockMethod::kRodas3:
      return "rodas3";
  }
  return "?";
}

bool parse_method(std::string_view name, RosenbrockMethod& out) {
  for (RosenbrockMethod m :
       {RosenbrockMethod::kRos2, RosenbrockMethod::kRos3, RosenbrockMethod::kRodas3}) {
    if (name == method_name(m)) {
      out = m;
      return true;
    }
  }
  return false;
}

std::string_view status_name(SolveStatus s) {
  switch (s) {
    case SolveStatus::kOk:
      return "ok";
    case SolveStatus::kTooManySteps:
      return "too_many_steps";
    case SolveStatus::kStepTooSmall:
      return "step_too_small";
    case SolveStatus::kNonFinite:
      return "non_finite";
    case SolveStatus::kSingularMatrix:
      return "singular_matrix";
  }
  return "?";
}

}  // namespace fwaq::chem
