-- GET /api/checkout/session/{id}, cycling through the pre-created ids (file KC_BENCH_IDS).
dofile(os.getenv("KC_BENCH_LUA_DIR") .. "/report.lua")

local ids = {}
for line in io.lines(os.getenv("KC_BENCH_IDS")) do
  if line ~= "" then
    ids[#ids + 1] = line
  end
end
wrk.headers["x-api-key"] = os.getenv("KC_BENCH_KEY")
local next_index = math.random(#ids)

request = function()
  next_index = next_index % #ids + 1
  return wrk.format(nil, "/api/checkout/session/" .. ids[next_index])
end
