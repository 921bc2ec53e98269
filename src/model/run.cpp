// `fwaq run`: a case from its first instant to its end (see run.hpp and simulation.hpp).
#include "model/run.hpp"

#include <cstdio>
#include <sstream>

#include "model/simulation.hpp"

namespace fwaq::model {

nlohmann::json run_case(const RunRequest& req, MPI_Comm comm) {
  Simulation sim(req, comm);
  sim.advance(sim.state().time, sim.end());  // begin(), or the checkpoint's time
  return sim.finish();
}

std::string format_city_table(const nlohmann::json& s) {
  std::ostringstream o;
  char line[200];
  std::snprintf(line, sizeof line, "%-18s %12s %11s %10s %10s %10s\n", "city", "PM2.5 ug/m3",
                "heavy days", "PM10", "SO2", "NO2");
  o << line;
  for (const auto& [name, c] : s.at("cities").items()) {
    std::snprintf(line, sizeof line, "%-18s %12.1f %11d %10.1f %10.1f %10.1f\n", name.c_str(),
                  c.at("pm25_mean").get<double>(), c.at("heavy_days").get<int>(),
                  c.at("pm10_mean").get<double>(), c.at("so2_mean").get<double>(),
                  c.at("no2_mean").get<double>());
    o << line;
  }
  const auto& r = s.at("region");
  if (r.at("pm25_mean").is_null()) {
    std::snprintf(line, sizeof line, "%-18s %12s %11s   (no area of the region in the domain)\n",
                  "region", "-", "-");
  } else {
    std::snprintf(line, sizeof line, "%-18s %12.1f %11d   (heavy city-days)\n", "region",
                  r.at("pm25_mean").get<double>(), r.at("heavy_city_days").get<int>());
  }
  o << line;
  return o.str();
}

}  // namespace fwaq::model
