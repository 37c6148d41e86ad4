-- POST /api/checkout/create-session with the reference document's body (file KC_BENCH_BODY).
dofile(os.getenv("KC_BENCH_LUA_DIR") .. "/report.lua")

local file = assert(io.open(os.getenv("KC_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = os.getenv("KC_BENCH_KEY")
