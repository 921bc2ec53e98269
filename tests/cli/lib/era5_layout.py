# ERA5-layout files on a regular 0.25-degree latitude-longitude grid: a pressure-level
# file (t packed as int16, u, v, q, w, z; latitude north to south, levels in millibars
# top-down as ERA5) and a surface file (z, blh, zust, ishf, t2m, u10, v10, sp, ssrd, tp),
# hourly records from START for HOURS hours.
import sys, datetime as dt, numpy as np, netCDF4
out, start, hours = sys.argv[1], sys.argv[2], int(sys.argv[3])
lon = np.arange(106.0, 112.0 + 1e-9, 0.25)
lat = np.arange(37.0, 33.0 - 1e-9, -0.25)                  # north to south, as ERA5
lev = np.array([100, 150, 200, 300, 500, 700, 850, 925, 1000], dtype=np.int32)  # top-down
g = 9.80665
t0 = dt.datetime.fromisoformat(start)
hrs = [int((t0 - dt.datetime(1900, 1, 1)).total_seconds() // 3600) + k for k in range(hours + 1)]
LON, LAT = np.meshgrid(lon, lat)
terrain = 400.0 + 1200.0 * np.exp(-((LON - 108.5) ** 2 + (LAT - 34.0) ** 2) / 0.8)  # [m]
def z_std(p_hpa):  # height of a pressure in the standard atmosphere [m]
    return 44330.8 * (1.0 - (p_hpa / 1013.25) ** 0.190263)
def common(f, levels):
    f.Conventions = "CF-1.6"
    f.createDimension("longitude", lon.size); f.createDimension("latitude", lat.size)
    if levels: f.createDimension("level", lev.size)
    f.createDimension("time", None)
    v = f.createVariable("longitude", "f4", ("longitude",)); v.units = "degrees_east"; v[:] = lon
    v = f.createVariable("latitude", "f4", ("latitude",)); v.units = "degrees_north"; v[:] = lat
    if levels:
        v = f.createVariable("level", "i4", ("level",)); v.units = "millibars"; v[:] = lev
    v = f.createVariable("time", "i4", ("time",))
    v.units = "hours since 1900-01-01 00:00:00.0"; v.calendar = "gregorian"; v[:] = hrs
def var(f, name, units, dims, data, packed=False):
    if packed:
        lo, hi = float(data.min()), float(data.max())
        v = f.createVariable(name, "i2", dims, fill_value=np.int16(-32767))
        v.scale_factor = (hi - lo) / 65000.0 if hi > lo else 1.0
        v.add_offset = 0.5 * (hi + lo)
    else:
        v = f.createVariable(name, "f4", dims)
    v.units = units
    v[:] = data
nt = len(hrs)
shape4 = (nt, lev.size, lat.size, lon.size)
zlev = np.broadcast_to(z_std(lev.astype(float))[None, :, None, None], shape4).copy()
tk = np.maximum(288.15 - 0.0065 * zlev, 216.65) - 4.0 * (LAT - 35.0)[None, None] \
    + 1.5 * np.sin(2 * np.pi * np.arange(nt) / 24.0)[:, None, None, None]
u = 4.0 + 0.002 * zlev + 1.0 * np.sin(np.radians(LON * 20))[None, None]
v = 1.0 + 0.5 * np.cos(np.radians(LAT * 30))[None, None] + 0.2 * np.arange(nt)[:, None, None, None]
q = 0.004 * (lev[None, :, None, None] / 1000.0) ** 3 * np.ones(shape4)
w = 0.01 * np.sin(np.radians(LON * 40))[None, None] * np.ones(shape4)
with netCDF4.Dataset(f"{out}/era5_pl.nc", "w") as f:
    common(f, True)
    d = ("time", "level", "latitude", "longitude")
    var(f, "t", "K", d, tk, packed=True)
    var(f, "u", "m s**-1", d, u)
    var(f, "v", "m s**-1", d, v)
    var(f, "q", "kg kg**-1", d, q)
    var(f, "w", "Pa s**-1", d, w)
    var(f, "z", "m**2 s**-2", d, g * zlev)
shape3 = (nt, lat.size, lon.size)
hour = (np.arange(nt) % 24)[:, None, None]
day = np.clip(np.sin(np.pi * (hour - 0) / 10.0), 0, None)      # 00-10 UTC: daytime in China
with netCDF4.Dataset(f"{out}/era5_sfc.nc", "w") as f:
    common(f, False)
    d = ("time", "latitude", "longitude")
    one = np.ones(shape3)
    var(f, "z", "m**2 s**-2", d, g * terrain[None] * one, packed=True)
    var(f, "blh", "m", d, (300.0 + 900.0 * day) * one, packed=True)
    var(f, "zust", "m s**-1", d, 0.3 * one)
    var(f, "ishf", "W m**-2", d, -(150.0 * day - 20.0) * one)
    var(f, "t2m", "K", d, (283.0 - 0.0065 * terrain)[None] * one + 5.0 * day)
    var(f, "u10", "m s**-1", d, 2.0 * one)
    var(f, "v10", "m s**-1", d, 1.0 * one)
    var(f, "sp", "Pa", d, (101325.0 * (1 - terrain / 44330.8) ** 5.255)[None] * one)
    var(f, "ssrd", "J m**-2", d, 3600.0 * 500.0 * day * one)
    var(f, "tp", "m", d, 0.0002 * one)
