# Writes an inventory definition without cities (the built-in inventory's profiles,
# speciation, spatial and national sections; no cities, city keys or components) whose
# only source is a small gridded NetCDF inventory on a 0.5-degree latitude-longitude grid
# over a box, in t/month for one year, and a period of one month of that year.
# usage: gridded_inventory.py REF_INVENTORY OUT_YAML OUT_NC YEAR MONTH LON0 LON1 LAT0 LAT1
import sys

import netCDF4
import numpy as np
import yaml

ref, out_yaml, out_nc = sys.argv[1:4]
year, month = int(sys.argv[4]), int(sys.argv[5])
lon0, lon1, lat0, lat1 = map(float, sys.argv[6:10])
d = yaml.safe_load(open(ref))
base = ref.rsplit("/", 1)[0]
end = f"{year + 1}-01-01" if month == 12 else f"{year}-{month + 1:02d}-01"
profiles = dict(d["profiles"])
for k in ("hour", "weekday", "vertical"):
    profiles[k] = base + "/" + d["profiles"][k]
inv = {
    "inventory": {"name": "gridded-only",
                  "period": {"start": f"{year}-{month:02d}-01", "end": end,
                             "utc_offset_hours": 8}},
    "profiles": profiles,
    "speciation": d["speciation"],
    "spatial": d["spatial"],
    "national": d["national"],
    "gridded": {"test": {"file": out_nc, "subsamples": 4}},
}
with open(out_yaml, "w") as f:
    yaml.safe_dump(inv, f, sort_keys=False, allow_unicode=True)

lat = np.arange(lat0, lat1 + 1e-9, 0.5)
lon = np.arange(lon0, lon1 + 1e-9, 0.5)
rng = np.random.default_rng(1)
with netCDF4.Dataset(out_nc, "w") as f:
    f.year = np.int32(year)
    f.createDimension("month", 12)
    f.createDimension("lat", lat.size)
    f.createDimension("lon", lon.size)
    v = f.createVariable("lat", "f8", ("lat",))
    v.units = "degrees_north"
    v[:] = lat
    v = f.createVariable("lon", "f8", ("lon",))
    v.units = "degrees_east"
    v[:] = lon
    for name, sector, species, scale in (("SO2_ind", "industry", "SO2", 50.0),
                                         ("NOx_tra", "transport", "NOx", 80.0),
                                         ("PM25_res", "residential", "PM2.5", 30.0)):
        v = f.createVariable(name, "f8", ("month", "lat", "lon"))
        v.units = "t/month"
        v.sector = sector
        v.species = species
        v[:] = scale * (0.5 + rng.random((12, lat.size, lon.size)))
